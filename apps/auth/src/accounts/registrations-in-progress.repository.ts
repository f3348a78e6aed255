import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';

/**
 * The registration saga's log (`registrations_in_progress`, ADR 0026): a row from just
 * before profile is asked to reserve the nickname until the credentials commit. Whoever
 * takes an unabandoned row first decides the registration's fate, under the row's lock:
 * the registration's own transaction ({@link complete}), which then commits the account;
 * or its compensation ({@link abandon}) or the sweeper ({@link abandonStale}), after which
 * the nickname may be freed. Never both.
 */
@Injectable()
export class RegistrationsInProgressRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Records a registration about to reserve its nickname; committed before the call. */
  async start(userId: string): Promise<void> {
    await this.tx.manager.query(`INSERT INTO registrations_in_progress (user_id) VALUES ($1)`, [
      userId,
    ]);
  }

  /**
   * In the registration's transaction: takes the row so the sweeper can no longer abandon
   * it (a sweeper already holding it makes this wait for its verdict). False when the
   * sweeper abandoned the registration first: it must not commit.
   */
  async complete(userId: string): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `WITH taken AS (
         DELETE FROM registrations_in_progress
         WHERE user_id = $1 AND abandoned_at IS NULL
         RETURNING user_id
       )
       SELECT * FROM taken`,
      [userId],
    );
    return rows.length === 1;
  }

  /**
   * Abandons one registration (its compensation): true when it is on the log — now or
   * already abandoned — and false when its row is gone, i.e. it committed (or was swept).
   * Waits for a transaction still holding the row to end, so the answer is final.
   */
  async abandon(userId: string): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `WITH marked AS (
         UPDATE registrations_in_progress SET abandoned_at = coalesce(abandoned_at, now())
         WHERE user_id = $1
         RETURNING user_id
       )
       SELECT * FROM marked`,
      [userId],
    );
    return rows.length === 1;
  }

  /** Drops the row of an abandoned registration whose nickname is free (or never held). */
  async forget(userId: string): Promise<void> {
    await this.tx.manager.query(`DELETE FROM registrations_in_progress WHERE user_id = $1`, [
      userId,
    ]);
  }

  /**
   * Abandons up to `limit` registrations started more than `olderThanSeconds` ago. A row a
   * registration's transaction holds right now ({@link complete}) is skipped, not waited
   * for: that transaction decides, and a rolled-back one leaves the row for the next sweep.
   */
  async abandonStale(olderThanSeconds: number, limit: number): Promise<number> {
    const rows: unknown[] = await this.tx.manager.query(
      `WITH stale AS (
         SELECT user_id FROM registrations_in_progress
         WHERE abandoned_at IS NULL AND started_at < now() - make_interval(secs => $1)
         ORDER BY started_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       ), abandoned AS (
         UPDATE registrations_in_progress r SET abandoned_at = now()
         FROM stale WHERE r.user_id = stale.user_id
         RETURNING r.user_id
       )
       SELECT * FROM abandoned`,
      [olderThanSeconds, limit],
    );
    return rows.length;
  }

  /** Abandoned registrations whose nickname is still to be released, longest waiting first. */
  async findAbandoned(limit: number): Promise<string[]> {
    const rows: Array<{ user_id: string }> = await this.tx.manager.query(
      `SELECT user_id FROM registrations_in_progress
       WHERE abandoned_at IS NOT NULL
       ORDER BY abandoned_at
       LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.user_id);
  }
}
