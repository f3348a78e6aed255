import { Injectable } from '@nestjs/common';
import { MetricsService } from '@app/platform';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';

/** The tables the pruner keeps in bounds, as they appear in the `table` label. */
export const EVENT_TABLES = ['outbox_events', 'processed_events'] as const;
export type EventTable = (typeof EVENT_TABLES)[number];

/**
 * What pruning of the event tables exposes on `/metrics` (ADR 0025): rows deleted per
 * table, how long the last round took and when one last succeeded, failed rounds, and the
 * size of each table.
 */
@Injectable()
export class EventRetentionMetrics {
  readonly pruned: Counter<'table'>;
  readonly pruneDuration: Gauge;
  readonly lastPruned: Gauge;
  readonly pruneFailures: Counter;

  constructor(metrics: MetricsService, dataSource: DataSource) {
    const registers = [metrics.registry];
    this.pruned = new Counter({
      name: 'event_table_rows_pruned_total',
      help: 'Rows deleted from the event tables after their retention, by table',
      labelNames: ['table'],
      registers,
    });
    // Zero from the start, so rate() and absence alerts work before the first deletion.
    for (const table of EVENT_TABLES) this.pruned.inc({ table }, 0);
    this.pruneDuration = new Gauge({
      name: 'event_table_prune_duration_seconds',
      help: 'Duration of the last pruning round of the event tables',
      registers,
    });
    this.lastPruned = new Gauge({
      name: 'event_table_last_prune_timestamp_seconds',
      help: 'Unix time at which a pruning round of the event tables last completed',
      registers,
    });
    this.pruneFailures = new Counter({
      name: 'event_table_prune_failures_total',
      help: 'Pruning rounds of the event tables that failed (retried at the next interval)',
      registers,
    });
    // Sizes come from the catalog when Prometheus scrapes: no table scan, exact in bytes,
    // and a row estimate as fresh as the last (auto)vacuum or ANALYZE.
    const readTables = (): Promise<Array<{ relname: EventTable; rows: string; bytes: string }>> =>
      dataSource.query(
        `SELECT relname, greatest(reltuples, 0)::bigint AS rows,
                pg_total_relation_size(oid) AS bytes
           FROM pg_class
          WHERE oid IN (to_regclass('outbox_events'), to_regclass('processed_events'))`,
      );
    new Gauge({
      name: 'event_table_estimated_rows',
      help: "Rows in each event table, as PostgreSQL's statistics estimate them (pg_class.reltuples)",
      labelNames: ['table'],
      registers,
      async collect() {
        for (const row of await readTables()) this.set({ table: row.relname }, Number(row.rows));
      },
    });
    new Gauge({
      name: 'event_table_size_bytes',
      help: 'Disk size of each event table with its indexes and TOAST (pg_total_relation_size)',
      labelNames: ['table'],
      registers,
      async collect() {
        for (const row of await readTables()) this.set({ table: row.relname }, Number(row.bytes));
      },
    });
  }
}
