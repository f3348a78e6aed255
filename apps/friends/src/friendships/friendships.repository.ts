import { Injectable } from '@nestjs/common';
import { KeysetList, type PageRequest, TransactionHost } from '@app/platform';
import { FriendshipEntity } from './entities/friendship.entity';

/** One friend in a user's list: whom, and since when. */
export interface FriendshipRow {
  friendId: string;
  createdAt: Date;
}

/** A user's friends (`friendships_list_idx`). */
const FRIENDS = new KeysetList({
  table: 'friendships',
  columns: ['friend_id'],
  owner: 'user_id = $1',
  id: 'friend_id',
});

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
  async listPage(userId: string, page: PageRequest): Promise<FriendshipRow[]> {
    const rows = await FRIENDS.read<{ friend_id: string }>(this.tx.manager, userId, page);
    return rows.map((row) => ({ friendId: row.friend_id, createdAt: row.createdAt }));
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
