import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signing keys get an activation time, so a rotated-in key is published in the JWKS for a
 * while before it signs anything (verifiers' cached key sets catch up first).
 */
export class SigningKeyActivation1732600000000 implements MigrationInterface {
  name = 'SigningKeyActivation1732600000000';

  async up(runner: QueryRunner): Promise<void> {
    // Existing keys have been signing since they were created.
    await runner.query(
      `ALTER TABLE signing_keys ADD COLUMN activates_at timestamptz NOT NULL DEFAULT now()`,
    );
    await runner.query(`UPDATE signing_keys SET activates_at = created_at`);
    await runner.query(
      `CREATE INDEX signing_keys_activates_at_idx ON signing_keys (activates_at DESC)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX signing_keys_activates_at_idx');
    await runner.query('ALTER TABLE signing_keys DROP COLUMN activates_at');
  }
}
