/**
 * The event bus: transactional outbox publishing, idempotent consumers over Kafka, and
 * pruning of the event tables.
 */
export * from './kafka.options';
export * from './kafka.module';
export * from './kafka.connection';
export * from './topic-names';
export * from './kafka.health';
export * from './kafka.metrics';
export * from './event-tables.migration';
export * from './applied-versions.migration';
export * from './event-retention.migration';
export * from './outbox/event-publisher';
export * from './outbox/outbox-erasure';
export * from './outbox/outbox-event.entity';
export * from './outbox/outbox-relay';
export * from './consumer/event-context';
export * from './consumer/kafka-event.server';
export * from './consumer/processed-event.entity';
export * from './consumer/version-gate';
export * from './retention/event-retention.metrics';
export * from './retention/event-table-pruner';

import { OutboxEventEntity } from './outbox/outbox-event.entity';
import { ProcessedEventEntity } from './consumer/processed-event.entity';
/** Entities a service must register with TypeORM to use the event bus. */
export const EVENT_ENTITIES = [OutboxEventEntity, ProcessedEventEntity];
