import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EventEnvelope } from '@app/contracts';

/**
 * An event waiting to be published, written in the same transaction as the state change
 * it describes. `seq` orders publication, so per-aggregate order survives the relay.
 */
@Entity('outbox_events')
@Index('outbox_events_unpublished_idx', ['seq'], { where: 'published_at IS NULL' })
@Index('outbox_events_published_at_idx', ['publishedAt'], { where: 'published_at IS NOT NULL' })
export class OutboxEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq: string;

  @Column({ type: 'uuid', unique: true, name: 'event_id' })
  eventId: string;

  @Column({ type: 'varchar', length: 200 })
  topic: string;

  @Column({ type: 'varchar', length: 200 })
  key: string;

  @Column({ type: 'jsonb' })
  envelope: EventEnvelope;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  headers: Record<string, string>;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Column({ type: 'timestamptz', name: 'published_at', nullable: true })
  publishedAt: Date | null;
}
