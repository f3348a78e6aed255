import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts linked to OAuth providers; such accounts may have no password. */
export class OAuthIdentities1732700000000 implements MigrationInterface {
  name = 'OAuthIdentities1732700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE credentials ALTER COLUMN password_hash DROP NOT NULL`);
    // One row per (provider, the provider's subject id): the same external account always
    // lands on the same user; a user may link several providers.
    await runner.query(`
      CREATE TABLE oauth_identities (
        provider varchar(32) NOT NULL,
        subject varchar(255) NOT NULL,
        user_id uuid NOT NULL REFERENCES credentials (user_id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, subject)
      )`);
    await runner.query(`CREATE INDEX oauth_identities_user_idx ON oauth_identities (user_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE oauth_identities');
    await runner.query(`ALTER TABLE credentials ALTER COLUMN password_hash SET NOT NULL`);
  }
}
