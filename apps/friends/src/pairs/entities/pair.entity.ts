import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { PairState } from '../pair.events';

/**
 * The current state of one pair of users (the aggregate's snapshot projection) and the
 * version of the last event folded into it.
 */
@Entity('friendship_pairs')
export class PairEntity {
  /** `pairId(a, b)` (libs/contracts): the smaller user id, `:`, the larger. */
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'uuid', name: 'user_low' })
  userLow: string;

  @Column({ type: 'uuid', name: 'user_high' })
  userHigh: string;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'jsonb' })
  state: PairState;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3, name: 'updated_at' })
  updatedAt: Date;
}
