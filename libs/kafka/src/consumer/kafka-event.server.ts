import { Inject, Injectable, Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import {
  deadLetterTopic,
  EventEnvelope,
  EventEnvelopeSchema,
  EventPayloadSchemas,
  Topic,
} from '@app/contracts';
import { TransactionHost } from '@app/platform';
import type { Consumer, EachMessagePayload, KafkaMessage } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom } from 'rxjs';
import { KafkaConnection } from '../kafka.connection';
import { KAFKA_OPTIONS, KafkaModuleOptions } from '../kafka.options';
import { KafkaEventContext } from './event-context';
import { ProcessedEventEntity } from './processed-event.entity';

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
 */
@Injectable()
export class KafkaEventServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(KafkaEventServer.name);
  private consumer?: Consumer;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly tx: TransactionHost,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
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
        .map(([pattern]) => pattern);
      if (topics.length > 0) {
        this.consumer = this.connection.consumer({
          groupId: this.groupId,
          allowAutoTopicCreation: false,
          sessionTimeout: 30_000,
          heartbeatInterval: 3_000,
        });
        await this.consumer.connect();
        await this.consumer.subscribe({ topics, fromBeginning: true });
        await this.consumer.run({
          autoCommit: true,
          eachMessage: (payload) => this.handleRecord(payload),
        });
        this.logger.log({ topics, groupId: this.groupId }, 'Consuming Kafka events');
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
  }

  on(): never {
    throw new Error('KafkaEventServer does not expose client events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async handleRecord(record: EachMessagePayload): Promise<void> {
    const { topic, partition, message } = record;
    const maxAttempts = this.options.maxAttempts ?? 5;
    const backoffMs = this.options.retryBackoffMs ?? 200;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const envelope = this.parse(topic, message);
        await this.apply(topic, partition, message.offset, envelope);
        return;
      } catch (error) {
        const poison = error instanceof PoisonRecordError;
        if (poison || attempt >= maxAttempts) {
          await this.deadLetter(topic, partition, message, error, attempt);
          return;
        }
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

  /** Runs the handler and records the event id in one transaction; skips known ids. */
  private async apply(
    topic: string,
    partition: number,
    offset: string,
    envelope: EventEnvelope,
  ): Promise<void> {
    const handler = this.getHandlerByPattern(topic);
    if (!handler) return;
    await this.tx.run(async () => {
      const inserted = await this.tx.manager
        .createQueryBuilder()
        .insert()
        .into(ProcessedEventEntity)
        .values({ consumerGroup: this.groupId, eventId: envelope.id, topic })
        .orIgnore()
        .returning(['event_id'])
        .execute();
      if ((inserted.raw as unknown[]).length === 0) {
        this.logger.debug({ topic, eventId: envelope.id }, 'Duplicate event skipped');
        return;
      }
      const context = new KafkaEventContext([topic, partition, offset, envelope]);
      const result = this.transformToObservable(await handler(envelope.payload, context));
      await lastValueFrom(result, { defaultValue: undefined });
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
      topic: deadLetterTopic(topic as Topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
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
