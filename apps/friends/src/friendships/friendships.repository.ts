import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { PageRequest } from '../common/pagination';
import { FriendshipEntity } from './entities/friendship.entity';

/** One friend in a user's list: whom, and since when. */
export interface FriendshipRow {
  friendId: string;
  createdAt: Date;
}

const LIST_COLUMNS =
  'SELECT friend_id, round(extract(epoch FROM created_at) * 1000)::float8 AS created_ms ' +
  'FROM friendships WHERE user_id = $1';
const LIST_ORDER = ' ORDER BY created_at DESC, friend_id DESC LIMIT $2';
const LIST_PAGE = LIST_COLUMNS + LIST_ORDER;
const LIST_PAGE_AFTER = LIST_COLUMNS + ' AND (created_at, friend_id) < ($3, $4)' + LIST_ORDER;

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

  /**
   * Up to `limit + 1` friendships of a user, newest first, after the keyset if any.
   *
   * The hottest read of the service, so it skips the query builder and entity hydration:
   * one plain statement, and `created_at` read as epoch milliseconds, which makes a Date
   * without parsing timestamp text (the column keeps milliseconds, so nothing is lost).
   */
  async listPage(userId: string, page: PageRequest): Promise<FriendshipRow[]> {
    const params: unknown[] = [userId, page.limit + 1];
    if (page.after) params.push(page.after.createdAt, page.after.id);
    const rows: Array<{ friend_id: string; created_ms: number }> = await this.tx.manager.query(
      page.after ? LIST_PAGE_AFTER : LIST_PAGE,
      params,
    );
    return rows.map((row) => ({ friendId: row.friend_id, createdAt: new Date(row.created_ms) }));
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
