import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { PageRequest } from '../common/pagination';
import { FriendshipEntity } from './entities/friendship.entity';

/**
 * Reads of the friendships projection (written by the pairs' event store), two directed
 * rows per friendship.
 */
@Injectable()
export class FriendshipsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async exists(userId: string, friendId: string): Promise<boolean> {
    return this.tx.manager.existsBy(FriendshipEntity, { userId, friendId });
  }

  /** Up to `limit + 1` friendships of a user, newest first, after the keyset if any. */
  async listPage(userId: string, page: PageRequest): Promise<FriendshipEntity[]> {
    const query = this.tx.manager
      .createQueryBuilder(FriendshipEntity, 'f')
      .where('f.user_id = :userId', { userId })
      .orderBy('f.created_at', 'DESC')
      .addOrderBy('f.friend_id', 'DESC')
      .limit(page.limit + 1);
    if (page.after) {
      query.andWhere('(f.created_at, f.friend_id) < (:createdAt, :id)', {
        createdAt: page.after.createdAt,
        id: page.after.id,
      });
    }
    return query.getMany();
  }

  async listFriendIds(userId: string): Promise<string[]> {
    const rows = await this.tx.manager.find(FriendshipEntity, {
      select: { friendId: true },
      where: { userId },
      order: { createdAt: 'DESC', friendId: 'DESC' },
    });
    return rows.map((row) => row.friendId);
  }
}
