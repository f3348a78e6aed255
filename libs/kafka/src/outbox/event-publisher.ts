import { Inject, Injectable } from '@nestjs/common';
import { EventEnvelope, EventPayload, EventPayloadSchemas, Topic } from '@app/contracts';
import { eventTraceHeaders, TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { KAFKA_OPTIONS, KafkaModuleOptions } from '../kafka.options';
import { OutboxEventEntity } from './outbox-event.entity';
import { OutboxRelay } from './outbox-relay';

/**
 * The port services publish through. An event is recorded in the transaction of the
 * state change it describes and reaches Kafka after that transaction commits: both
 * happen, or neither.
 */
export abstract class EventPublisher {
  /**
   * Records `payload` on `topic`, keyed by the aggregate id `key` (records of one key keep
   * their order). Must run inside `TransactionHost.run`.
   */
  abstract publish<T extends Topic>(
    topic: T,
    payload: EventPayload<T>,
    options: { key: string },
  ): Promise<EventEnvelope<EventPayload<T>>>;
}

/** {@link EventPublisher} through the transactional outbox table. */
@Injectable()
export class OutboxEventPublisher extends EventPublisher {
  constructor(
    private readonly tx: TransactionHost,
    private readonly relay: OutboxRelay,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
  ) {
    super();
  }

  async publish<T extends Topic>(
    topic: T,
    payload: EventPayload<T>,
    { key }: { key: string },
  ): Promise<EventEnvelope<EventPayload<T>>> {
    if (!this.tx.inTransaction) {
      throw new Error(
        `publish(${topic}) outside a transaction would not be atomic with its state change`,
      );
    }
    // Producers are held to the same schema consumers check: a bad event fails its
    // transaction here instead of poisoning a topic.
    const validPayload = EventPayloadSchemas[topic].parse(payload) as EventPayload<T>;
    const envelope: EventEnvelope<EventPayload<T>> = {
      id: randomUUID(),
      type: topic,
      version: 1,
      occurredAt: new Date().toISOString(),
      producer: this.options.service,
      payload: validPayload,
    };
    await this.tx.manager.insert(OutboxEventEntity, {
      eventId: envelope.id,
      topic,
      key,
      envelope,
      // The trace of the request that recorded the event, continued by its consumers.
      headers: eventTraceHeaders(),
    });
    this.tx.afterCommit(() => this.relay.nudge());
    return envelope;
  }
}
