import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox and processed-event tables every service needs. Each service lists this
 * migration first in its own migrations, so its database carries the tables.
 */
export class CreateEventTables1732406400000 implements MigrationInterface {
  name = 'CreateEventTables1732406400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE outbox_events (
        seq bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        topic varchar(200) NOT NULL,
        key varchar(200) NOT NULL,
        envelope jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await runner.query(
      `CREATE INDEX outbox_events_unpublished_idx ON outbox_events (seq) WHERE published_at IS NULL`,
    );
    await runner.query(`
      CREATE TABLE processed_events (
        consumer_group varchar(200) NOT NULL,
        event_id uuid NOT NULL,
        topic varchar(200) NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, event_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE processed_events');
    await runner.query('DROP TABLE outbox_events');
  }
}
