import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One direction of a confirmed friendship: every friendship has two rows, (a, b) and
 * (b, a), so each user's friend list is a range of the primary key's leading column.
 */
@Entity('friendships')
export class FriendshipEntity {
  @PrimaryColumn({ type: 'uuid', name: 'user_id' })
  userId: string;

  @PrimaryColumn({ type: 'uuid', name: 'friend_id' })
  friendId: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3, name: 'created_at' })
  createdAt: Date;
}
