import type { Topic } from '@app/contracts';

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
  /** Partitions of topics this module creates. Keys (aggregate ids) keep order per aggregate. */
  partitions?: number;
  /** Fallback poll interval of the outbox relay; commits nudge it sooner. */
  outboxPollMs?: number;
  /** Attempts of a failing handler before its record goes to `<topic>.dlq`. */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt. */
  retryBackoffMs?: number;
}

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
