import { DynamicModule, Global, INestApplication, Module } from '@nestjs/common';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { KafkaEventServer } from './consumer/kafka-event.server';
import { VersionGate } from './consumer/version-gate';
import { KafkaConnection } from './kafka.connection';
import { KafkaHealthIndicator } from './kafka.health';
import { KafkaMetrics } from './kafka.metrics';
import { KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';
import { EventPublisher, OutboxEventPublisher } from './outbox/event-publisher';
import { OutboxErasure } from './outbox/outbox-erasure';
import { OutboxRelay } from './outbox/outbox-relay';
import { EventRetentionMetrics } from './retention/event-retention.metrics';
import { EventTablePruner } from './retention/event-table-pruner';
import { TopicNames } from './topic-names';

/**
 * The event bus: {@link EventPublisher} (transactional outbox + relay) for producers,
 * {@link OutboxErasure} to erase a deleted user from the outbox, {@link KafkaEventServer}
 * for `@EventPattern` consumers, and {@link EventTablePruner}, which deletes old rows of
 * both event tables. Needs `DatabaseModule`, `HealthModule` and
 * `MetricsModule` from `@app/platform`.
 */
@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      imports: [TerminusModule],
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        { provide: TopicNames, useValue: new TopicNames(options.topicPrefix) },
        KafkaConnection,
        KafkaHealthIndicator,
        KafkaMetrics,
        OutboxRelay,
        { provide: EventPublisher, useClass: OutboxEventPublisher },
        OutboxErasure,
        KafkaEventServer,
        VersionGate,
        EventRetentionMetrics,
        EventTablePruner,
      ],
      exports: [
        EventPublisher,
        OutboxErasure,
        KafkaEventServer,
        KafkaConnection,
        VersionGate,
        TopicNames,
      ],
    };
  }
}

/** Connects the Kafka consumer to a hybrid app: pass to `bootstrapService({transports})`. */
export const kafkaTransport = (app: INestApplication): MicroserviceOptions => ({
  strategy: app.get(KafkaEventServer),
});
