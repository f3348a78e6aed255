import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * An event this service's consumer group has applied. Inserted in the same transaction
 * as the handler's effect, so a redelivered event finds its row and is skipped.
 */
@Entity('processed_events')
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
