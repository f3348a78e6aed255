import { Topics } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { eventually, produce, registrationEvent } from './bus';
import type { TokenIssuer } from './token-issuer';

export interface FaultUser {
  id: string;
  token: string;
}

/**
 * Registers `count` users as auth would — one `auth.user.registered.v1` event each — and
 * waits until every database in `directories` (a table with an `id` column per user,
 * fed by those events) knows them.
 */
export async function registerUsers(
  issuer: TokenIssuer,
  count: number,
  directories: Array<{ db: Client; table: string }>,
): Promise<FaultUser[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await produce(
    Topics.UserRegistered,
    ids.map((id) => ({ key: id, envelope: registrationEvent(id) })),
  );
  for (const { db, table } of directories) {
    await eventually(
      async () => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE id = ANY($1::uuid[])`,
          [ids],
        );
        return rows[0].n === count ? true : undefined;
      },
      30_000,
      `${count} users known in ${table}`,
    );
  }
  return Promise.all(ids.map(async (id) => ({ id, token: await issuer.token(id) })));
}
