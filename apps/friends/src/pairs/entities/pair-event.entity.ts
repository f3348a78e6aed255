import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { PairEventType } from '../pair.events';

/**
 * One event of a pair's history, append-only. The primary key (aggregate_id, version) is
 * the optimistic concurrency check: two writers that read the same version cannot both
 * append the next one.
 */
@Entity('friendship_events')
export class PairEventEntity {
  @PrimaryColumn({ type: 'text', name: 'aggregate_id' })
  aggregateId: string;

  @PrimaryColumn({ type: 'int' })
  version: number;

  @Column({ type: 'varchar', length: 32 })
  type: PairEventType;

  /** The event without its `type`. */
  @Column({ type: 'jsonb' })
  data: Record<string, string>;

  @CreateDateColumn({ type: 'timestamptz', precision: 3, name: 'occurred_at' })
  occurredAt: Date;
}
