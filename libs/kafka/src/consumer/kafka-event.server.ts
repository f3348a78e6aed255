import { Inject, Injectable, Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { EventEnvelope, EventEnvelopeSchema, EventPayloadSchemas, Topic } from '@app/contracts';
import { TransactionHost } from '@app/platform';
import type { Consumer, EachMessagePayload, KafkaMessage } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom } from 'rxjs';
import { KafkaConnection } from '../kafka.connection';
import { KafkaMetrics } from '../kafka.metrics';
import { KAFKA_OPTIONS, KafkaModuleOptions } from '../kafka.options';
import { TopicNames } from '../topic-names';
import { KafkaEventContext } from './event-context';

/** A record that can never succeed (bad JSON, wrong schema): no retry, straight to the DLQ. */
class PoisonRecordError extends Error {}

/**
 * A Nest microservice transport that feeds Kafka events to `@EventPattern(topic)` handlers.
 *
 * Each record is validated (envelope and payload schema), then its handler runs inside a
 * database transaction that also inserts the event id into `processed_events`; a
 * redelivered event finds its id and is skipped, so redelivery has no second effect.
 * A failing handler is retried with exponential backoff, then the record goes to
 * `<topic>.dlq` with headers saying where it came from and why, and the partition moves on.
 *
 * Under a topic prefix (ADR 0034) it subscribes to the prefixed topics and maps each
 * record's topic back to the contract's name before anything else sees it: handlers,
 * `processed_events`, the event context and metrics all use the contract's names.
 */
@Injectable()
export class KafkaEventServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(KafkaEventServer.name);
  private consumer?: Consumer;
  private closing = false;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly tx: TransactionHost,
    private readonly metrics: KafkaMetrics,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
    private readonly names: TopicNames,
  ) {
    super();
  }

  get groupId(): string {
    return this.options.groupId ?? this.options.service;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      // Nest hands every transport-less server all patterns of the app, gRPC methods
      // included: subscribe to event handlers only.
      const topics = [...this.messageHandlers.entries()]
        .filter(([, handler]) => handler.isEventHandler)
        .map(([pattern]) => this.names.physical(pattern));
      if (topics.length > 0) {
        this.consumer = this.connection.consumer({
          groupId: this.groupId,
          allowAutoTopicCreation: false,
          sessionTimeout: 30_000,
          heartbeatInterval: 3_000,
        });
        this.watch(this.consumer);
        await this.consumer.connect();
        await this.consumer.subscribe({ topics, fromBeginning: true });
        // Not awaited: the first join can take up to a session timeout (after a crash the
        // dead member must expire first), and the service's HTTP and gRPC APIs must not
        // wait for it. Join failures are crashes, handled in watch().
        const consumer = this.consumer;
        consumer
          .run({ autoCommit: true, eachMessage: (payload) => this.handleRecord(payload) })
          .then(
            () => this.logger.log({ topics, groupId: this.groupId }, 'Consuming Kafka events'),
            (error: unknown) => this.exitOnFailure(error),
          );
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /**
   * Lag per partition after each batch, and no silent stop: kafkajs restarts a crashed
   * consumer on retriable errors; on any other crash the process exits non-zero (through
   * a graceful SIGTERM shutdown) so its supervisor restarts it.
   */
  private watch(consumer: Consumer): void {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.metrics.consumerLag.set(
        { topic: this.logicalTopic(payload.topic), partition: String(payload.partition) },
        Math.max(0, Number(payload.offsetLag)),
      );
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) {
        this.logger.warn(
          { err: payload.error, groupId: payload.groupId },
          'Kafka consumer crashed; restarting',
        );
        return;
      }
      this.exitOnFailure(payload.error);
    });
  }

  /** The consumer cannot go on: exit non-zero (through a graceful SIGTERM shutdown). */
  private exitOnFailure(error: unknown): void {
    if (this.closing) return;
    this.logger.fatal({ err: error, groupId: this.groupId }, 'Kafka consumer stopped; exiting');
    process.exitCode = 1;
    process.kill(process.pid, 'SIGTERM');
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.consumer) await this.connection.releaseConsumer(this.consumer);
  }

  on(): never {
    throw new Error('KafkaEventServer does not expose client events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  /**
   * The contract's name of a subscribed topic. Only topics under the prefix are
   * subscribed, so the fallback (the name as it is) is never taken in practice.
   */
  private logicalTopic(physical: string): string {
    return this.names.logical(physical) ?? physical;
  }

  private async handleRecord(record: EachMessagePayload): Promise<void> {
    const { partition, message } = record;
    const topic = this.logicalTopic(record.topic);
    const maxAttempts = this.options.maxAttempts ?? 5;
    const backoffMs = this.options.retryBackoffMs ?? 200;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const envelope = this.parse(topic, message);
        const stopTimer = this.metrics.handlerDuration.startTimer({ topic });
        const applied = await this.apply(topic, partition, message.offset, envelope);
        stopTimer();
        this.metrics.consumed.inc({ topic, outcome: applied ? 'processed' : 'duplicate' });
        return;
      } catch (error) {
        const poison = error instanceof PoisonRecordError;
        if (poison || attempt >= maxAttempts) {
          await this.deadLetter(topic, partition, message, error, attempt);
          this.metrics.consumed.inc({ topic, outcome: 'dead_lettered' });
          this.metrics.deadLettered.inc({ topic });
          return;
        }
        this.metrics.retries.inc({ topic });
        this.logger.warn(
          { err: error, topic, partition, offset: message.offset, attempt },
          'Event handler failed; retrying',
        );
        await sleep(backoffMs * 2 ** (attempt - 1));
        // Backoff must not cost the consumer its place in the group.
        await record.heartbeat();
      }
    }
  }

  private parse(topic: string, message: KafkaMessage): EventEnvelope {
    let raw: unknown;
    try {
      raw = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      throw new PoisonRecordError('record value is not JSON');
    }
    const envelope = EventEnvelopeSchema.safeParse(raw);
    if (!envelope.success) throw new PoisonRecordError(`bad envelope: ${envelope.error.message}`);
    const schema = EventPayloadSchemas[topic as Topic];
    const payload = schema?.safeParse(envelope.data.payload);
    if (!payload?.success) {
      throw new PoisonRecordError(
        `bad payload for ${topic}: ${payload?.error.message ?? 'unknown topic'}`,
      );
    }
    return { ...envelope.data, payload: payload.data };
  }

  /**
   * Runs the handler and records the event id in one transaction. Resolves false for an
   * event this group has already applied (skipped).
   */
  private async apply(
    topic: string,
    partition: number,
    offset: string,
    envelope: EventEnvelope,
  ): Promise<boolean> {
    const handler = this.getHandlerByPattern(topic);
    if (!handler) return false;
    return this.tx.run(async () => {
      // processed_events (ProcessedEventEntity) in plain SQL: this runs once per event.
      const inserted: unknown[] = await this.tx.manager.query(
        `INSERT INTO processed_events (consumer_group, event_id, topic) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [this.groupId, envelope.id, topic],
      );
      if (inserted.length === 0) {
        this.logger.debug({ topic, eventId: envelope.id }, 'Duplicate event skipped');
        return false;
      }
      const context = new KafkaEventContext([topic, partition, offset, envelope]);
      const result = this.transformToObservable(await handler(envelope.payload, context));
      await lastValueFrom(result, { defaultValue: undefined });
      return true;
    });
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    this.logger.error(
      { topic, partition, offset: message.offset, attempts, reason },
      'Event sent to the dead-letter topic',
    );
    const producer = await this.connection.producer();
    await producer.send({
      topic: this.names.deadLetter(topic as Topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            // The contract's name, as `npm run dlq:redrive -- <topic>` takes it.
            'dlq-original-topic': topic,
            'dlq-original-partition': String(partition),
            'dlq-original-offset': message.offset,
            'dlq-error': reason.slice(0, 1000),
            'dlq-attempts': String(attempts),
            'dlq-consumer-group': this.groupId,
          },
        },
      ],
    });
  }
}
