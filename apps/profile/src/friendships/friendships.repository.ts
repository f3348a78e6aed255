import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import {
  type ProfileEntity,
  profileColumns,
  profileFromRow,
  type ProfileRow,
} from '../profiles/entities/profile.entity';

/** Which friends of one user to load: at most `limit`, after a keyset position. */
export interface FriendsPageKey {
  userId: string;
  limit: number;
  after?: { since: Date; friendId: string };
}

/** A friend, with the time the friendship began (the sort key of friend lists). */
export interface FriendRow {
  since: Date;
  profile: ProfileEntity;
}

/**
 * The friendships read model in PostgreSQL. Friend lists join `profiles`, so a friend
 * whose profile is gone (or not created yet) is neither listed nor counted. The batch
 * methods answer many users in one statement each: they are what the per-request
 * DataLoaders call.
 */
@Injectable()
export class FriendshipsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Records the friendship in both directions; a replay changes nothing. */
  async add(a: string, b: string): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO friendships (user_id, friend_id) VALUES ($1, $2), ($2, $1)
       ON CONFLICT DO NOTHING`,
      [a, b],
    );
  }

  async remove(a: string, b: string): Promise<void> {
    await this.tx.manager.query(
      `DELETE FROM friendships
       WHERE (user_id = $1 AND friend_id = $2) OR (user_id = $2 AND friend_id = $1)`,
      [a, b],
    );
  }

  /** Forgets every friendship of a deleted account. */
  async removeAllOf(userId: string): Promise<void> {
    await this.tx.manager.query(`DELETE FROM friendships WHERE user_id = $1 OR friend_id = $1`, [
      userId,
    ]);
  }

  /** Number of friends (with a profile) of each user, in one query; absent = 0. */
  async countByUsers(userIds: readonly string[]): Promise<Map<string, number>> {
    const rows: Array<{ user_id: string; friends: number }> = await this.tx.manager.query(
      `SELECT f.user_id, count(*)::int AS friends
       FROM friendships f JOIN profiles p ON p.id = f.friend_id
       WHERE f.user_id = ANY($1::uuid[])
       GROUP BY f.user_id`,
      [userIds],
    );
    return new Map(rows.map((row) => [row.user_id, row.friends]));
  }

  /**
   * One page of friends for each key, newest friendship first, in a single statement: a
   * LATERAL subquery per key walks `friendships_user_recent_idx` from its keyset position
   * and stops at its limit. Answers in the order of `keys`.
   */
  async pagesByUsers(keys: readonly FriendsPageKey[]): Promise<FriendRow[][]> {
    const rows: Array<ProfileRow & { key_index: string; since: Date }> =
      await this.tx.manager.query(
        `SELECT k.key_index, friend.*
         FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::uuid[])
              WITH ORDINALITY AS k(user_id, lim, after_since, after_friend, key_index)
         CROSS JOIN LATERAL (
           SELECT f.created_at AS since, ${profileColumns('p')}
           FROM friendships f JOIN profiles p ON p.id = f.friend_id
           WHERE f.user_id = k.user_id
             AND (k.after_since IS NULL
                  OR (f.created_at, f.friend_id) < (k.after_since, k.after_friend))
           ORDER BY f.created_at DESC, f.friend_id DESC
           LIMIT k.lim
         ) friend
         ORDER BY k.key_index, friend.since DESC, friend.id DESC`,
        [
          keys.map((k) => k.userId),
          keys.map((k) => k.limit),
          keys.map((k) => k.after?.since ?? null),
          keys.map((k) => k.after?.friendId ?? null),
        ],
      );
    const pages: FriendRow[][] = keys.map(() => []);
    for (const row of rows) {
      pages[Number(row.key_index) - 1].push({ since: row.since, profile: profileFromRow(row) });
    }
    return pages;
  }
}
