import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registration saga's log (ADR 0026): one row per registration between "about to
 * reserve the nickname in profile" and "credentials committed". A row outliving its
 * registration's process is what the sweeper frees. It holds only the random user id
 * picked for the attempt — no email, no nickname.
 */
export class RegistrationsInProgress1732900000000 implements MigrationInterface {
  name = 'RegistrationsInProgress1732900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE registrations_in_progress (
        user_id uuid PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        abandoned_at timestamptz
      )`);
    await runner.query(
      `CREATE INDEX registrations_in_progress_started_idx
         ON registrations_in_progress (started_at) WHERE abandoned_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE registrations_in_progress');
  }
}
