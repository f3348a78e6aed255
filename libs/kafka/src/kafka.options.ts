import type { Topic } from '@app/contracts';

/**
 * How long the event tables keep rows that have done their job, and how the pruner that
 * deletes them paces itself (ADR 0025). Every field has a default.
 */
export interface EventRetentionOptions {
  /** Age (since publication) after which a published outbox row is deleted. */
  outboxRetentionMs?: number;
  /**
   * Age (since processing) after which a `processed_events` row is deleted. Must stay well
   * beyond the longest time Kafka may deliver the same event again, or a late redelivery
   * would be applied twice.
   */
  processedRetentionMs?: number;
  /** Time between pruning rounds. */
  intervalMs?: number;
  /** Rows one DELETE removes; each batch is its own short transaction. */
  batchSize?: number;
}

/** What {@link EventRetentionOptions} means when a field is left out. */
export const DEFAULT_EVENT_RETENTION: Required<EventRetentionOptions> = {
  outboxRetentionMs: 7 * 24 * 3_600_000,
  processedRetentionMs: 30 * 24 * 3_600_000,
  intervalMs: 60_000,
  batchSize: 1_000,
};

export interface KafkaModuleOptions {
  /** The producing service's name: the envelope's `producer` and the client id. */
  service: string;
  brokers: string[];
  /**
   * Consumer group of this service. Every instance of one service shares it (work is
   * split between them); each service has its own (every service sees every event).
   */
  groupId?: string;
  /** Topics this service produces or consumes; created at start-up if missing. */
  topics: readonly Topic[];
  /**
   * Put before every topic name on the broker (`KAFKA_TOPIC_PREFIX`, ADR 0034), so stacks
   * sharing a broker keep apart; empty (the default) uses the contract's names exactly.
   * Outbox rows, handler routing and metrics keep the contract's names.
   */
  topicPrefix?: string;
  /** Partitions of topics this module creates. Keys (aggregate ids) keep order per aggregate. */
  partitions?: number;
  /** Fallback poll interval of the outbox relay; commits nudge it sooner. */
  outboxPollMs?: number;
  /** Attempts of a failing handler before its record goes to `<topic>.dlq`. */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt. */
  retryBackoffMs?: number;
  /** Pruning of old outbox and processed-event rows; defaults in {@link DEFAULT_EVENT_RETENTION}. */
  retention?: EventRetentionOptions;
}

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
