// Users befriended straight into friends' database, for the cases that read a friends
// list (C, GW): registering and befriending 100,000 people through the API would take
// the whole budget.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import type { CaseContext } from './harness';

/**
 * Seeds `count` users befriended with `userId` into friends' projection (both directed
 * rows), their friendships made at random over the last `spreadDays` days.
 */
export async function seedFriends(
  db: Pool,
  userId: string,
  { count, spreadDays }: { count: number; spreadDays: number },
): Promise<void> {
  await db.query('BEGIN');
  await db.query(`
    CREATE TEMP TABLE bench_friends ON COMMIT DROP AS
      SELECT gen_random_uuid() AS id,
             now() - random() * interval '${spreadDays} days' AS since
      FROM generate_series(1, ${count})`);
  await db.query('INSERT INTO users (id) SELECT id FROM bench_friends');
  await db.query(
    `INSERT INTO friendships (user_id, friend_id, created_at)
     SELECT $1::uuid, id, since FROM bench_friends
     UNION ALL SELECT id, $1::uuid, since FROM bench_friends`,
    [userId],
  );
  await db.query('COMMIT');
}

/** Waits for friends' directory to learn of a new user (from auth's registration event). */
export async function waitForUser(db: Pool, userId: string, ctx: CaseContext): Promise<void> {
  while (ctx.remainingMs() > 0) {
    const { rowCount } = await db.query('SELECT 1 FROM users WHERE id = $1', [userId]);
    if (rowCount) return;
    await sleep(100);
  }
  throw new Error(`user ${userId} never reached friends' directory`);
}
