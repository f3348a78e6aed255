import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  DEFAULT_EVENT_RETENTION,
  EventRetentionOptions,
  KAFKA_OPTIONS,
  KafkaModuleOptions,
} from '../kafka.options';
import { EventRetentionMetrics, EventTable } from './event-retention.metrics';
import { WakeablePause } from '../wakeable-pause';

/**
 * One batch of each table: pick at most `$2` rows older than `$1` ms, skipping rows another
 * transaction holds, and delete them by primary key. The pick walks the retention index
 * (EventTableRetentionIndexes1766000000000) oldest first. Unpublished outbox rows never
 * match: `published_at < …` is false for NULL.
 */
const PRUNE_BATCH: Record<EventTable, string> = {
  outbox_events: `
    WITH doomed AS (
      SELECT seq FROM outbox_events
       WHERE published_at < now() - $1::float8 * interval '1 millisecond'
       ORDER BY published_at
       LIMIT $2
       FOR UPDATE SKIP LOCKED),
    gone AS (
      DELETE FROM outbox_events o USING doomed WHERE o.seq = doomed.seq RETURNING 1)
    SELECT count(*)::int AS n FROM gone`,
  processed_events: `
    WITH doomed AS (
      SELECT consumer_group, event_id FROM processed_events
       WHERE processed_at < now() - $1::float8 * interval '1 millisecond'
       ORDER BY processed_at
       LIMIT $2
       FOR UPDATE SKIP LOCKED),
    gone AS (
      DELETE FROM processed_events p USING doomed
       WHERE p.consumer_group = doomed.consumer_group AND p.event_id = doomed.event_id
      RETURNING 1)
    SELECT count(*)::int AS n FROM gone`,
};

/**
 * Keeps `outbox_events` and `processed_events` from growing for ever (ADR 0025): every
 * interval it deletes published outbox rows and processed-event rows older than their
 * retention, in batches (1,000 rows by default), each its own short transaction.
 *
 * A batch locks only the old rows it deletes — rows nothing else reads or writes any
 * more — and skips any row another transaction holds, so neither the producers, the relay
 * nor the consumers ever wait for it, and several instances of a service may prune the
 * same database at once without waiting for each other.
 */
@Injectable()
export class EventTablePruner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventTablePruner.name);
  private readonly settings: Required<EventRetentionOptions>;
  private stopped = false;
  private loop?: Promise<void>;
  private readonly idle = new WakeablePause();

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: EventRetentionMetrics,
    @Inject(KAFKA_OPTIONS) options: KafkaModuleOptions,
  ) {
    this.settings = { ...DEFAULT_EVENT_RETENTION, ...options.retention };
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  /**
   * Stops the schedule; a batch in flight finishes (one short statement), none follows.
   * Before the shutdown hooks, since one of those closes the database connections.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.idle.wake();
    await this.loop;
  }

  /**
   * One pruning round: deletes old rows of each table batch by batch until a batch comes
   * back short (nothing older is left) or the service stops. Resolves the rows deleted.
   */
  async prune(): Promise<Record<EventTable, number>> {
    const stopTimer = this.metrics.pruneDuration.startTimer();
    const outbox = await this.drain('outbox_events', this.settings.outboxRetentionMs);
    const processed = this.stopped
      ? 0
      : await this.drain('processed_events', this.settings.processedRetentionMs);
    stopTimer();
    this.metrics.lastPruned.setToCurrentTime();
    return { outbox_events: outbox, processed_events: processed };
  }

  private async drain(table: EventTable, retentionMs: number): Promise<number> {
    const { batchSize } = this.settings;
    let total = 0;
    for (;;) {
      const [row] = await this.dataSource.query<Array<{ n: number }>>(PRUNE_BATCH[table], [
        retentionMs,
        batchSize,
      ]);
      total += row.n;
      this.metrics.pruned.inc({ table }, row.n);
      if (row.n < batchSize || this.stopped) return total;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.idle.pause(this.settings.intervalMs);
      if (this.stopped) return;
      try {
        const pruned = await this.prune();
        if (pruned.outbox_events > 0 || pruned.processed_events > 0) {
          this.logger.debug({ pruned }, 'Pruned old rows of the event tables');
        }
      } catch (error) {
        this.metrics.pruneFailures.inc();
        this.logger.warn({ err: error }, 'Pruning the event tables failed; retrying next round');
      }
    }
  }
}
