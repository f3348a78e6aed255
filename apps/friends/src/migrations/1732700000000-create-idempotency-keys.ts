import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Answers to `Idempotency-Key`s, per user. No foreign key to `users`: a caller whose
 * registration has not reached friends yet may still send a key (and be refused). Rows
 * expire after a day; `created_at` is indexed for the purge.
 */
export class CreateIdempotencyKeys1732700000000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1732700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL,
        key varchar(255) NOT NULL,
        request_hash char(64) NOT NULL,
        response jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
    await runner.query(
      'CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE idempotency_keys');
  }
}
