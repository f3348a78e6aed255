import { Test } from '@nestjs/testing';
import { MetricsService } from '@app/platform';
import { DataSource } from 'typeorm';
import { KAFKA_OPTIONS, KafkaModuleOptions } from '../kafka.options';
import { EventRetentionMetrics } from './event-retention.metrics';
import { EventTablePruner } from './event-table-pruner';

const HOUR = 3_600_000;

/** Which table a pruning statement deletes from. */
const tableOf = (sql: string) => /DELETE FROM (\w+)/.exec(sql)?.[1];

/**
 * A pruner over a database whose DELETEs answer the counts queued per table (then 0), and
 * that records every statement it was sent.
 */
async function setup(
  deleted: Record<string, number[]> = {},
  retention: KafkaModuleOptions['retention'] = {},
) {
  const statements: Array<{ table?: string; params: unknown[] }> = [];
  const query = jest.fn((sql: string, params: unknown[] = []) => {
    const table = tableOf(sql);
    if (!table) return Promise.resolve([]);
    statements.push({ table, params });
    return Promise.resolve([{ n: deleted[table]?.shift() ?? 0 }]);
  });
  const metrics = new MetricsService('test');
  const options: KafkaModuleOptions = { service: 'test', brokers: [], topics: [], retention };
  const moduleRef = await Test.createTestingModule({
    providers: [
      EventTablePruner,
      EventRetentionMetrics,
      { provide: DataSource, useValue: { query } },
      { provide: MetricsService, useValue: metrics },
      { provide: KAFKA_OPTIONS, useValue: options },
    ],
  }).compile();
  const metricValue = async (name: string, labels: Record<string, string> = {}) => {
    const { values } = await metrics.registry.getSingleMetric(name)!.get();
    return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
  };
  return { pruner: moduleRef.get(EventTablePruner), query, statements, metricValue };
}

describe('EventTablePruner', () => {
  afterEach(() => jest.useRealTimers());

  it('deletes batch after batch until one comes back short, table by table', async () => {
    const { pruner, statements } = await setup(
      { outbox_events: [3, 3, 1], processed_events: [2] },
      { batchSize: 3, outboxRetentionMs: 2 * HOUR, processedRetentionMs: 48 * HOUR },
    );

    const pruned = await pruner.prune();

    expect(pruned).toEqual({ outbox_events: 7, processed_events: 2 });
    expect(statements).toEqual([
      { table: 'outbox_events', params: [2 * HOUR, 3] },
      { table: 'outbox_events', params: [2 * HOUR, 3] },
      { table: 'outbox_events', params: [2 * HOUR, 3] },
      { table: 'processed_events', params: [48 * HOUR, 3] },
    ]);
  });

  it('keeps published outbox rows 7 days and processed ids 30 days, 1,000 rows a batch', async () => {
    const { pruner, statements } = await setup();

    await pruner.prune();

    expect(statements).toEqual([
      { table: 'outbox_events', params: [7 * 24 * HOUR, 1_000] },
      { table: 'processed_events', params: [30 * 24 * HOUR, 1_000] },
    ]);
  });

  it('counts pruned rows per table and times the round', async () => {
    const { pruner, metricValue } = await setup({ outbox_events: [5], processed_events: [4] });
    expect(await metricValue('event_table_rows_pruned_total', { table: 'outbox_events' })).toBe(0);

    await pruner.prune();

    expect(await metricValue('event_table_rows_pruned_total', { table: 'outbox_events' })).toBe(5);
    expect(await metricValue('event_table_rows_pruned_total', { table: 'processed_events' })).toBe(
      4,
    );
    expect(await metricValue('event_table_prune_duration_seconds')).toBeGreaterThanOrEqual(0);
    expect(await metricValue('event_table_last_prune_timestamp_seconds')).toBeCloseTo(
      Date.now() / 1000,
      -1,
    );
  });

  it('prunes once per interval after start-up, and survives a failed round', async () => {
    jest.useFakeTimers();
    const { pruner, query, statements, metricValue } = await setup({}, { intervalMs: 1_000 });
    query.mockRejectedValueOnce(new Error('database down'));

    pruner.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(999);
    expect(query).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1); // first round: fails
    expect(await metricValue('event_table_prune_failures_total')).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000); // second round: both tables
    expect(statements.map((s) => s.table)).toEqual(['outbox_events', 'processed_events']);

    await pruner.beforeApplicationShutdown();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(statements).toHaveLength(2);
  });

  it('stops between batches on shutdown, without waiting for the next interval', async () => {
    jest.useFakeTimers();
    const { pruner, query } = await setup({}, { intervalMs: 60_000, batchSize: 10 });
    let shutdown: Promise<void> | undefined;
    // Every batch comes back full: only the shutdown ends the round.
    query.mockImplementation(() => {
      shutdown ??= pruner.beforeApplicationShutdown();
      return Promise.resolve([{ n: 10 }]);
    });

    pruner.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(60_000);
    await shutdown;

    // The batch in flight finished; nothing followed it.
    expect(query).toHaveBeenCalledTimes(1);
  });

  it('shuts down at once while waiting for the next round', async () => {
    jest.useFakeTimers();
    const { pruner, query } = await setup({}, { intervalMs: 60_000 });
    pruner.onApplicationBootstrap();

    await pruner.beforeApplicationShutdown();

    expect(query).not.toHaveBeenCalled();
  });
});
