import { deadLetterTopic, Topic } from '@app/contracts';

/** What a topic prefix may contain: characters legal in Kafka topic names, at most 100. */
export const TOPIC_PREFIX_PATTERN = /^[A-Za-z0-9._-]{0,100}$/;

/**
 * Maps the contract's topic names (`Topics`, the *logical* names) to the names used on the
 * broker and back (ADR 0034).
 *
 * With an empty prefix (production, docker-compose, k8s) both are the same. Stacks that
 * share one broker (the e2e stacks, the fault suite, the benchmarks) each set their own
 * prefix, so none of them reads another's events. Only the edge of the event bus sees the
 * prefixed names: the outbox stores logical names, handlers are routed and metrics are
 * labelled by logical names.
 */
export class TopicNames {
  constructor(readonly prefix = '') {
    if (!TOPIC_PREFIX_PATTERN.test(prefix)) {
      throw new Error(
        `topic prefix must match ${String(TOPIC_PREFIX_PATTERN)}, got ${JSON.stringify(prefix)}`,
      );
    }
  }

  /** The broker's name of a logical topic. */
  physical(logical: string): string {
    return this.prefix + logical;
  }

  /** The broker's name of a logical topic's dead-letter topic (`<prefix><topic>.dlq`). */
  deadLetter(logical: Topic): string {
    return this.prefix + deadLetterTopic(logical);
  }

  /**
   * The logical name of a topic on the broker, or `undefined` for a topic outside this
   * prefix (never one of this bus's topics).
   */
  logical(physical: string): string | undefined {
    return physical.startsWith(this.prefix) ? physical.slice(this.prefix.length) : undefined;
  }
}
