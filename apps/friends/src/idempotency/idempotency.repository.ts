import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';

/** Stored answers to idempotency keys. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Takes the key for this request; false if it is already taken. A concurrent request
   * with the same key waits here until the first one's transaction ends: after a commit it
   * gets false (and replays the answer), after a rollback it takes the key itself.
   */
  async claim(
    userId: string,
    key: string,
    requestHash: string,
    maxAgeMs: number,
  ): Promise<boolean> {
    // A key older than maxAgeMs has expired: it is taken over as if new.
    const rows = await this.tx.manager.query<unknown[]>(
      `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, response = NULL, created_at = now()
         WHERE idempotency_keys.created_at < now() - make_interval(secs => $4)
       RETURNING key`,
      [userId, key, requestHash, maxAgeMs / 1000],
    );
    return rows.length === 1;
  }

  async find(userId: string, key: string): Promise<IdempotencyKeyEntity | null> {
    return this.tx.manager.findOneBy(IdempotencyKeyEntity, { userId, key });
  }

  async complete(userId: string, key: string, response: unknown): Promise<void> {
    // jsonb through a parameter: pg would send a JS array as a PostgreSQL array otherwise.
    await this.tx.manager.query(
      'UPDATE idempotency_keys SET response = $3::jsonb WHERE user_id = $1 AND key = $2',
      [userId, key, response === undefined ? null : JSON.stringify(response)],
    );
  }

  /** Forgets every key of a deleted account: the stored answers name its friends. */
  async deleteAllOf(userId: string): Promise<void> {
    await this.tx.manager.delete(IdempotencyKeyEntity, { userId });
  }

  /** Forgets keys older than `maxAgeMs`; a client retries within minutes, not days. */
  async purgeOlderThan(maxAgeMs: number): Promise<void> {
    await this.tx.manager.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)`,
      [maxAgeMs / 1000],
    );
  }
}
