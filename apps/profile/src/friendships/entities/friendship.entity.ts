import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One direction of a confirmed friendship, as learnt from friends' events: profile's own
 * read model, so resolving `Profile.friends` never calls the friends service. Every
 * friendship is stored twice, (a, b) and (b, a).
 */
@Entity({ name: 'friendships' })
export class FriendshipEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @PrimaryColumn({ name: 'friend_id', type: 'uuid' })
  friendId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
