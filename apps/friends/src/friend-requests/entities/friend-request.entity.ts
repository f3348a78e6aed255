import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Where a friend request stands. Only `pending` requests can change; `cancelled` = withdrawn or voided by a block. */
export type FriendRequestStatus = 'pending' | 'accepted' | 'declined' | 'cancelled';

/** One user asking another to become friends. */
@Entity('friend_requests')
export class FriendRequestEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid', name: 'from_user_id' })
  fromUserId: string;

  @Column({ type: 'uuid', name: 'to_user_id' })
  toUserId: string;

  @Column({ type: 'varchar', length: 16 })
  status: FriendRequestStatus;

  @CreateDateColumn({ type: 'timestamptz', precision: 3, name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3, name: 'updated_at' })
  updatedAt: Date;
}
