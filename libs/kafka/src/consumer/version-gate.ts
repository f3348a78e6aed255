import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';

/**
 * Keeps a read model from going back in time when one aggregate's events travel on
 * several topics.
 *
 * Kafka orders records within a partition only. friends publishes a pair's `accepted` and
 * `removed` events on different topics, so after an outage a consumer may see `removed`
 * (version 3) before `accepted` (version 2); applied in that order, the read model would
 * end with a friendship that no longer exists. A producer that numbers its aggregate's
 * events lets the consumer ask, per stream, "is this newer than what I already applied?"
 * and skip what is not.
 *
 * A stream is whatever one piece of state the consumer keeps follows, e.g. the friendship
 * of a pair, or one user's block of another: state set by the latest event of its stream,
 * whatever came before. `advance` must run in the handler's transaction, so the version
 * and the effect commit together; the row lock it takes also serialises two handlers of
 * the same stream running at once.
 */
@Injectable()
export class VersionGate {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Records `version` as applied on `stream` and answers true when it is newer than every
   * version applied before; answers false, changing nothing, for an older or equal one.
   */
  async advance(stream: string, version: number): Promise<boolean> {
    if (!this.tx.inTransaction) throw new Error('VersionGate.advance() must run in a transaction');
    const rows: unknown[] = await this.tx.manager.query(
      `INSERT INTO applied_versions (stream, version) VALUES ($1, $2)
       ON CONFLICT (stream) DO UPDATE SET version = EXCLUDED.version, applied_at = now()
       WHERE applied_versions.version < EXCLUDED.version
       RETURNING version`,
      [stream, version],
    );
    return rows.length === 1;
  }

  /**
   * Whether `stream` has been advanced to `version` or beyond, e.g. whether an account's
   * deletion has been applied, so an event about it that arrives later is not applied.
   */
  async reached(stream: string, version: number): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `SELECT 1 FROM applied_versions WHERE stream = $1 AND version >= $2`,
      [stream, version],
    );
    return rows.length > 0;
  }
}
