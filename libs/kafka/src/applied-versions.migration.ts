import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The table behind {@link VersionGate}: the newest version applied per stream. Services
 * whose read models follow an aggregate across several topics list this migration.
 */
export class CreateAppliedVersions1764000000000 implements MigrationInterface {
  name = 'CreateAppliedVersions1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE applied_versions (
        stream varchar(200) PRIMARY KEY,
        version bigint NOT NULL CHECK (version > 0),
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE applied_versions');
  }
}
