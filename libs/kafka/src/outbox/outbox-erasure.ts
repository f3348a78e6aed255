import { Injectable } from '@nestjs/common';
import type { EventPayload, Topic } from '@app/contracts';
import { TransactionHost } from '@app/platform';

/** The personal fields of each of a service's topics whose payload names a user by `userId`. */
export type PersonalFields = { [T in Topic]?: ReadonlyArray<keyof EventPayload<T> & string> };

/**
 * Erases a deleted user's personal data from this service's outbox (ADR 0022, amendment "the
 * event tables after a deletion"), in the transaction that erases the user:
 *
 * - a published row about the user keeps its ids, its personal fields become `null`. It is
 *   never sent again (the relay sends only unpublished rows), so the schema's `z.email()`
 *   no longer binds it;
 * - an unpublished row about the user is deleted, never sent: a redacted payload would be an
 *   invalid event, and the original would put the data back on a topic after the deletion.
 *   Consumers lose nothing they would keep, since the user's deletion follows it.
 *
 * The rows are locked first, in `seq` order: a relay marking one of them published waits for
 * this transaction, or this one waits for the mark and then finds the row published.
 */
@Injectable()
export class OutboxErasure {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Erases `fields` from the outbox rows whose payload's `userId` is `userId`; resolves how
   * many rows were redacted and deleted. Must run inside `TransactionHost.run`.
   */
  async eraseUser(
    userId: string,
    fields: PersonalFields,
  ): Promise<{ redacted: number; withheld: number }> {
    if (!this.tx.inTransaction) {
      throw new Error('eraseUser() outside a transaction would not be atomic with the erasure');
    }
    const topics = Object.keys(fields);
    if (topics.length === 0) return { redacted: 0, withheld: 0 };
    // {topic: {field: null, …}}: `payload || nulls` overwrites exactly the personal fields.
    const nulls = Object.fromEntries(
      Object.entries(fields).map(([topic, names]) => [
        topic,
        Object.fromEntries((names ?? []).map((name) => [name, null])),
      ]),
    );
    const about = `topic = ANY($2) AND envelope -> 'payload' ->> 'userId' = $1`;
    const count = async (sql: string, params: unknown[]) =>
      (await this.tx.manager.query<Array<{ n: number }>>(sql, params))[0].n;
    // Lock, then act in later statements: under READ COMMITTED they see a relay's mark that
    // committed while the lock waited, which one statement's snapshot would not.
    const locked = await count(
      `SELECT count(*)::int AS n FROM
         (SELECT seq FROM outbox_events WHERE ${about} ORDER BY seq FOR UPDATE) locked`,
      [userId, topics],
    );
    if (locked === 0) return { redacted: 0, withheld: 0 };
    const withheld = await count(
      `WITH gone AS (
         DELETE FROM outbox_events WHERE ${about} AND published_at IS NULL RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [userId, topics],
    );
    const redacted = await count(
      `WITH changed AS (
         UPDATE outbox_events
            SET envelope = jsonb_set(envelope, '{payload}',
                                     (envelope -> 'payload') || ($3::jsonb -> topic))
          WHERE ${about}
         RETURNING 1)
       SELECT count(*)::int AS n FROM changed`,
      [userId, topics, JSON.stringify(nulls)],
    );
    return { redacted, withheld };
  }
}
