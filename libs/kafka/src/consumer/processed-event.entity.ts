import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An event this service's consumer group has applied. Inserted in the same transaction
 * as the handler's effect, so a redelivered event finds its row and is skipped. Rows are
 * pruned after a retention well beyond any redelivery (ADR 0025).
 */
@Entity('processed_events')
@Index('processed_events_processed_at_idx', ['processedAt'])
export class ProcessedEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 200, name: 'consumer_group' })
  consumerGroup: string;

  @PrimaryColumn({ type: 'uuid', name: 'event_id' })
  eventId: string;

  @Column({ type: 'varchar', length: 200 })
  topic: string;

  @CreateDateColumn({ type: 'timestamptz', name: 'processed_at' })
  processedAt: Date;
}
