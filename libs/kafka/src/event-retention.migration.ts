import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes the pruner of the event tables walks (ADR 0025): published outbox rows by
 * publication time, processed events by processing time. Without them each pruning round
 * would scan the whole table.
 *
 * Built `CONCURRENTLY`, outside a transaction, because these are the tables that grew
 * without bound: a plain `CREATE INDEX` would block every insert into them — every event
 * produced or consumed — for as long as the build takes. A build that failed half-way
 * leaves an invalid index of the same name; the migration is then not recorded, so the
 * next start drops it and builds it again.
 */
export class EventTableRetentionIndexes1766000000000 implements MigrationInterface {
  name = 'EventTableRetentionIndexes1766000000000';
  transaction = false;

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX CONCURRENTLY IF EXISTS outbox_events_published_at_idx');
    await runner.query(
      `CREATE INDEX CONCURRENTLY outbox_events_published_at_idx
         ON outbox_events (published_at) WHERE published_at IS NOT NULL`,
    );
    await runner.query('DROP INDEX CONCURRENTLY IF EXISTS processed_events_processed_at_idx');
    await runner.query(
      `CREATE INDEX CONCURRENTLY processed_events_processed_at_idx
         ON processed_events (processed_at)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX CONCURRENTLY IF EXISTS processed_events_processed_at_idx');
    await runner.query('DROP INDEX CONCURRENTLY IF EXISTS outbox_events_published_at_idx');
  }
}
