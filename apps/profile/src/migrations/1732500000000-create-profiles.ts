import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Profiles and the nickname reservations of registrations in progress. Nicknames are
 * unique case-insensitively, so both tables carry a unique index on `lower(nickname)`;
 * those indexes (not application checks) are what make concurrent reservations safe.
 */
export class CreateProfiles1732500000000 implements MigrationInterface {
  name = 'CreateProfiles1732500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE profiles (
        id uuid PRIMARY KEY,
        nickname varchar(32) NOT NULL,
        display_name varchar(64),
        bio varchar(500),
        avatar_url varchar(2048),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX profiles_nickname_lower_uq ON profiles (lower(nickname))`,
    );
    await runner.query(`
      CREATE TABLE nickname_reservations (
        user_id uuid PRIMARY KEY,
        nickname varchar(32) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX nickname_reservations_nickname_lower_uq ON nickname_reservations (lower(nickname))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE nickname_reservations');
    await runner.query('DROP TABLE profiles');
  }
}
