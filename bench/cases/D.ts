// D — `me { friends(first: 20) { … friends(first: 5) } }` on profile's GraphQL endpoint
// (Nest + Apollo) against the same schema executed over bare node:http
// (bench/servers/graphql-profile.ts), on the same read model: by graphql-js with parsed
// and validated documents cached as Apollo caches them (the baseline the target is set
// against), and by graphql-jit, the query compiled once (a sharper second baseline,
// reported for information).

import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { REPO_ROOT } from '../../scripts/infra/lib';
import { startChildServer } from '../lib/child';
import { type CaseContext, defineCase } from '../lib/harness';
import { httpLoad } from '../lib/load';
import { benchPort } from '../lib/stack';

const BASELINE_PORT = benchPort(24102);
const JIT_PORT = benchPort(24105);
/** People in the seeded neighbourhood, friends of `me`, and friends each of those has. */
const POPULATION = 400;
const MY_FRIENDS = 50;
const FRIENDS_EACH = 30;
const CONNECTIONS = 32;
const ROUND_SECONDS = 3;

const QUERY = `query MeAndFriends {
  me {
    id nickname friendsCount
    friends(first: 20) {
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id nickname displayName avatarUrl friendsCount
          friends(first: 5) {
            pageInfo { hasNextPage }
            edges { node { id nickname displayName } }
          }
        }
      }
    }
  }
}`;

/** The answer to QUERY, as far as this case checks it. */
interface MeAnswer {
  data?: { me: { friends: { edges: unknown[] } } };
}

/**
 * Seeds profile's read model: POPULATION profiles, `me` befriended with MY_FRIENDS of them,
 * each of those with FRIENDS_EACH random others (both directed rows, as profile keeps them).
 */
async function seed(db: Pool, myId: string): Promise<void> {
  await db.query('BEGIN');
  await db.query(`
    CREATE TEMP TABLE bench_people ON COMMIT DROP AS
      SELECT n, gen_random_uuid() AS id FROM generate_series(1, ${POPULATION}) AS n`);
  await db.query(`
    INSERT INTO profiles (id, nickname, display_name)
    SELECT id, 'd_' || substr(md5(id::text), 1, 12), 'Bench person ' || n FROM bench_people`);
  await db.query(
    `
    CREATE TEMP TABLE bench_pairs ON COMMIT DROP AS
      SELECT $1::uuid AS a, id AS b, now() - random() * interval '90 days' AS since
      FROM bench_people WHERE n <= ${MY_FRIENDS}
      UNION ALL
      SELECT p.id, q.id, now() - random() * interval '90 days'
      FROM bench_people p
      CROSS JOIN LATERAL (
        SELECT id FROM bench_people q WHERE q.id <> p.id ORDER BY random() LIMIT ${FRIENDS_EACH}
      ) q
      WHERE p.n <= ${MY_FRIENDS}`,
    [myId],
  );
  await db.query(`
    INSERT INTO friendships (user_id, friend_id, created_at)
    SELECT a, b, since FROM bench_pairs UNION ALL SELECT b, a, since FROM bench_pairs
    ON CONFLICT DO NOTHING`);
  await db.query('COMMIT');
  await db.query('ANALYZE profiles');
  await db.query('ANALYZE friendships');
}

async function waitForProfile(db: Pool, userId: string, ctx: CaseContext): Promise<void> {
  while (ctx.remainingMs() > 0) {
    const { rowCount } = await db.query('SELECT 1 FROM profiles WHERE id = $1', [userId]);
    if (rowCount) return;
    await sleep(100);
  }
  throw new Error(`profile of ${userId} never appeared`);
}

export default defineCase({
  id: 'D',
  title: 'GraphQL me { friends(first: 20) { … friends(first: 5) } }',
  budgetMs: 120_000,
  rounds: 5,
  metrics: {
    reqPerSec: { unit: 'req/s', better: 'higher' },
    p99Ms: { unit: 'ms', better: 'lower' },
    cpuMsPerReq: { unit: 'CPU ms/req', better: 'lower' },
  },
  sides: ['product', 'baseline', 'jit'],
  targets: [{ metric: 'reqPerSec', ratio: { min: 0.6 } }],

  async setup(ctx) {
    const { stack } = ctx;
    await stack.start(['profile']);
    const [me] = await stack.registerUsers(1, { prefix: 'd' });
    const db = stack.db('profile');
    await waitForProfile(db, me.userId, ctx);
    await seed(db, me.userId);

    const server = (engine: string, port: number) =>
      startChildServer(
        path.join(__dirname, '..', 'servers', 'graphql-profile.ts'),
        {
          PORT: String(port),
          ENGINE: engine,
          DATABASE_URL: stack.databaseUrl('profile'),
          JWKS_URL: `${stack.urls.auth.http}/.well-known/jwks.json`,
          JWT_ISSUER: 'messenger-auth',
          JWT_AUDIENCE: 'messenger',
          // profile's `verifiedTokenCacheSize`
          VERIFIED_TOKEN_CACHE_SIZE: '10000',
          SCHEMA_FILE: path.join(REPO_ROOT, 'apps', 'profile', 'schema.gql'),
        },
        ctx,
      );
    const baseline = await server('graphql', BASELINE_PORT);
    const jit = await server('jit', JIT_PORT);
    const sides: Record<string, { url: string; pid: number }> = {
      product: { url: `${stack.urls.profile.http}/graphql`, pid: stack.pid('profile') },
      baseline: { url: `http://127.0.0.1:${BASELINE_PORT}/graphql`, pid: baseline.pid },
      jit: { url: `http://127.0.0.1:${JIT_PORT}/graphql`, pid: jit.pid },
    };
    const request = {
      method: 'POST',
      headers: { authorization: `Bearer ${me.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
    };
    // Same data from all (and a full first level of 20 friends), or the comparison is void.
    const [product, ...bare] = await Promise.all(
      Object.values(sides).map(
        async ({ url }) => (await (await fetch(url, request)).json()) as MeAnswer,
      ),
    );
    for (const answer of bare) {
      if (
        JSON.stringify(product) !== JSON.stringify(answer) ||
        product.data?.me.friends.edges.length !== 20
      ) {
        throw new Error(
          `product and a baseline answer differently:\n${JSON.stringify(product).slice(0, 300)}\n${JSON.stringify(answer).slice(0, 300)}`,
        );
      }
    }
    return { sides, request };
  },

  async run({ sides, request }, side, ctx) {
    const { url, pid } = sides[side];
    const cpu = ctx.measureCpu(pid);
    const result = await httpLoad({
      url,
      ...request,
      connections: CONNECTIONS,
      duration: ROUND_SECONDS,
      signal: ctx.signal,
    });
    return {
      reqPerSec: result.reqPerSec,
      p99Ms: result.p99Ms,
      cpuMsPerReq: (cpu() * 1000) / result.requests,
    };
  },

  async teardown() {},
});
