import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** `blockerId` blocks `blockedId` (a read projection of the pairs' block events). */
@Entity('blocks')
export class BlockEntity {
  @PrimaryColumn({ type: 'uuid', name: 'blocker_id' })
  blockerId: string;

  @PrimaryColumn({ type: 'uuid', name: 'blocked_id' })
  blockedId: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3, name: 'created_at' })
  createdAt: Date;
}
