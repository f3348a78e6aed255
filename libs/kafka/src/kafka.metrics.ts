import { Injectable } from '@nestjs/common';
import { MetricsService } from '@app/platform';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';

/**
 * What the event bus exposes on `/metrics`: events published and consumed per topic,
 * handler duration, retries, dead letters, the outbox backlog and the age of its oldest
 * row, and consumer lag per partition.
 */
@Injectable()
export class KafkaMetrics {
  readonly published: Counter<'topic'>;
  readonly consumed: Counter<'topic' | 'outcome'>;
  readonly handlerDuration: Histogram<'topic'>;
  readonly retries: Counter<'topic'>;
  readonly deadLettered: Counter<'topic'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;

  constructor(metrics: MetricsService, dataSource: DataSource) {
    const registers = [metrics.registry];
    this.published = new Counter({
      name: 'kafka_events_published_total',
      help: 'Events the outbox relay published to Kafka, by topic',
      labelNames: ['topic'],
      registers,
    });
    this.consumed = new Counter({
      name: 'kafka_events_consumed_total',
      help: 'Events consumed, by topic and outcome (processed, duplicate, dead_lettered)',
      labelNames: ['topic', 'outcome'],
      registers,
    });
    this.handlerDuration = new Histogram({
      name: 'kafka_event_handler_duration_seconds',
      help: 'Time to apply one event (handler and its transaction), by topic',
      labelNames: ['topic'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    this.retries = new Counter({
      name: 'kafka_event_retries_total',
      help: 'Handler attempts that failed and were retried, by topic',
      labelNames: ['topic'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'kafka_events_dead_lettered_total',
      help: 'Events sent to the dead-letter topic, by original topic',
      labelNames: ['topic'],
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'kafka_consumer_lag',
      help: "Records behind the partition's high watermark after the last processed batch",
      labelNames: ['topic', 'partition'],
      registers,
    });
    // Backlog and age are read when Prometheus scrapes, from the partial index on
    // unpublished rows, so they are exact and cost nothing between scrapes.
    new Gauge({
      name: 'outbox_backlog_events',
      help: 'Committed events not yet published to Kafka',
      registers,
      async collect() {
        const [row] = await dataSource.query<Array<{ n: string }>>(
          'SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL',
        );
        this.set(Number(row.n));
      },
    });
    new Gauge({
      name: 'outbox_oldest_event_age_seconds',
      help: 'Age of the oldest unpublished outbox event (0 when the outbox is empty)',
      registers,
      async collect() {
        const [row] = await dataSource.query<Array<{ age: string | null }>>(
          `SELECT extract(epoch FROM now() - min(created_at)) AS age
             FROM outbox_events WHERE published_at IS NULL`,
        );
        this.set(row.age === null ? 0 : Number(row.age));
      },
    });
  }
}
