import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';

/**
 * messenger's own copy of who is friends with whom and who blocks whom, fed by `friends.*`
 * events. Stale by
 * the event lag at worst; used for presence fan-out and when friends cannot answer.
 * Stored in both directions so either user's friends are one index range.
 */
@Injectable()
export class FriendshipReplica {
  constructor(private readonly tx: TransactionHost) {}

  async add(a: string, b: string): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO friendships (user_id, friend_id) VALUES ($1, $2), ($2, $1)
       ON CONFLICT DO NOTHING`,
      [a, b],
    );
  }

  async remove(a: string, b: string): Promise<void> {
    await this.tx.manager.query(
      `DELETE FROM friendships WHERE (user_id = $1 AND friend_id = $2)
                                  OR (user_id = $2 AND friend_id = $1)`,
      [a, b],
    );
  }

  async block(userId: string, blockedUserId: string): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO blocks (user_id, blocked_user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [userId, blockedUserId],
    );
  }

  async unblock(userId: string, blockedUserId: string): Promise<void> {
    await this.tx.manager.query(`DELETE FROM blocks WHERE user_id = $1 AND blocked_user_id = $2`, [
      userId,
      blockedUserId,
    ]);
  }

  /** Forgets a deleted account's friendships and blocks. */
  async removeUser(userId: string): Promise<void> {
    await this.tx.manager.query(`DELETE FROM friendships WHERE user_id = $1 OR friend_id = $1`, [
      userId,
    ]);
    await this.tx.manager.query(`DELETE FROM blocks WHERE user_id = $1 OR blocked_user_id = $1`, [
      userId,
    ]);
  }

  /** The relation of two users as the replica knows it (a block in either direction counts). */
  async relation(a: string, b: string): Promise<{ friends: boolean; blocked: boolean }> {
    const rows: Array<{ friends: boolean; blocked: boolean }> = await this.tx.manager.query(
      `SELECT EXISTS (SELECT 1 FROM friendships WHERE user_id = $1 AND friend_id = $2) AS friends,
              EXISTS (SELECT 1 FROM blocks WHERE (user_id = $1 AND blocked_user_id = $2)
                                              OR (user_id = $2 AND blocked_user_id = $1)) AS blocked`,
      [a, b],
    );
    return { friends: rows[0].friends, blocked: rows[0].blocked };
  }

  /** The relation of `userId` to each of `otherIds`, in one query. */
  async relationsOf(
    userId: string,
    otherIds: readonly string[],
  ): Promise<Array<{ userId: string; friends: boolean; blocked: boolean }>> {
    const rows: Array<{ id: string; friends: boolean; blocked: boolean }> =
      await this.tx.manager.query(
        `SELECT o.id,
                EXISTS (SELECT 1 FROM friendships WHERE user_id = $1 AND friend_id = o.id) AS friends,
                EXISTS (SELECT 1 FROM blocks WHERE (user_id = $1 AND blocked_user_id = o.id)
                                                OR (user_id = o.id AND blocked_user_id = $1)) AS blocked
           FROM unnest($2::uuid[]) AS o (id)`,
        [userId, otherIds],
      );
    return rows.map((row) => ({ userId: row.id, friends: row.friends, blocked: row.blocked }));
  }

  /** Which of `userIds` are friends of `userId` (presence is shown to friends). */
  async friendsAmong(userId: string, userIds: readonly string[]): Promise<string[]> {
    const rows: Array<{ friend_id: string }> = await this.tx.manager.query(
      `SELECT friend_id FROM friendships WHERE user_id = $1 AND friend_id = ANY($2::uuid[])`,
      [userId, userIds],
    );
    return rows.map((row) => row.friend_id);
  }

  async friendsOf(userId: string): Promise<string[]> {
    const rows: Array<{ friend_id: string }> = await this.tx.manager.query(
      `SELECT friend_id FROM friendships WHERE user_id = $1`,
      [userId],
    );
    return rows.map((row) => row.friend_id);
  }
}
