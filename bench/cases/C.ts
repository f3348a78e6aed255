// C — GET /v1/friends, keyset-paginated, for a user with 100,000 friends: friends' REST
// route against a bare node:http + pg server running the same query
// (bench/servers/http-friends.ts) on the same database, with the same verified-token
// cache as friends. Each round loads page 1 with one token (a client sending its token
// with every request), page 1 with 1,000 distinct tokens new to both servers (many
// clients: each token's signature is checked once, then cached), and page 1,000 (the
// last, at 100 a page) with autocannon; keyset pagination should make the deep page as
// cheap as the first. Setup also measures what the session-revocation check (issue #16)
// adds to a request's token verification.

import path from 'node:path';
import type autocannon from 'autocannon';
import type { Pool } from 'pg';
import { startChildServer } from '../lib/child';
import { seedFriends, waitForUser } from '../lib/friends-seed';
import { defineCase } from '../lib/harness';
import { httpLoad } from '../lib/load';
import { revocationCost } from '../lib/revocation-cost';
import { accessTokenMinter } from '../lib/socket-bench';
import { benchPort } from '../lib/stack';

const BASELINE_PORT = benchPort(24103);
const FRIENDS = 100_000;
const PAGE_SIZE = 100;
const DEEP_PAGE = 1000;
const CONNECTIONS = 32;
const PHASE_SECONDS = 2.5;
/** Distinct tokens of the many-clients phase, minted afresh for every round and side. */
const DISTINCT_TOKENS = 1000;

/** A page of `GET /v1/friends`, as far as this case compares it. */
interface FriendsPage {
  items?: unknown[];
  nextCursor?: string | null;
}

/** The cursor friends returns after `rowsBefore` friends (the keyset of the last one). */
async function cursorAfter(db: Pool, userId: string, rowsBefore: number): Promise<string> {
  const { rows } = await db.query<{ created_at: Date; friend_id: string }>(
    `SELECT created_at, friend_id FROM friendships WHERE user_id = $1
     ORDER BY created_at DESC, friend_id DESC OFFSET $2 LIMIT 1`,
    [userId, rowsBefore - 1],
  );
  const [{ created_at: createdAt, friend_id: id }] = rows;
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

export default defineCase({
  id: 'C',
  title: 'GET /v1/friends, keyset pagination, 100k friends',
  budgetMs: 150_000,
  rounds: 5,
  metrics: {
    reqPerSec: { unit: 'req/s (page 1)', better: 'higher' },
    p99Page1Ms: { unit: 'ms', better: 'lower' },
    reqPerSecManyTokens: { unit: 'req/s (page 1, 1,000 tokens)', better: 'higher' },
    reqPerSecPage1000: { unit: 'req/s', better: 'higher' },
    p99Page1000Ms: { unit: 'ms', better: 'lower' },
    cpuMsPerReq: { unit: 'CPU ms/req (page 1)', better: 'lower' },
    cpuMsPerReqManyTokens: { unit: 'CPU ms/req (1,000 tokens)', better: 'lower' },
    revocationCostPct: { unit: '% of CPU/req', better: 'lower' },
  },
  targets: [
    { metric: 'reqPerSec', ratio: { min: 0.8 } },
    { metric: 'reqPerSecManyTokens', ratio: { min: 0.8 } },
    { metric: 'p99Page1000Ms', per: 'p99Page1Ms', ratio: { max: 1.2 } },
    { metric: 'revocationCostPct', value: { max: 5 } },
  ],

  async setup(ctx) {
    const { stack } = ctx;
    await stack.start(['friends']);
    const [user] = await stack.registerUsers(1, { prefix: 'c' });
    const db = stack.db('friends');
    await waitForUser(db, user.userId, ctx);
    const seeding = Date.now();
    await seedFriends(db, user.userId, { count: FRIENDS, spreadDays: 365 });
    await db.query('ANALYZE friendships');
    ctx.log(`seeded ${FRIENDS.toLocaleString('en-US')} friends in ${Date.now() - seeding} ms`);

    const baseline = await startChildServer(
      path.join(__dirname, '..', 'servers', 'http-friends.ts'),
      {
        PORT: String(BASELINE_PORT),
        DATABASE_URL: stack.databaseUrl('friends'),
        JWKS_URL: `${stack.urls.auth.http}/.well-known/jwks.json`,
        JWT_ISSUER: 'messenger-auth',
        JWT_AUDIENCE: 'messenger',
        // friends' `verifiedTokenCacheSize`
        VERIFIED_TOKEN_CACHE_SIZE: '10000',
      },
      ctx,
    );
    const deepCursor = await cursorAfter(db, user.userId, (DEEP_PAGE - 1) * PAGE_SIZE);
    const paths = {
      page1: `/v1/friends?limit=${PAGE_SIZE}`,
      page1000: `/v1/friends?limit=${PAGE_SIZE}&cursor=${deepCursor}`,
    };
    const sides: Record<string, { url: string; pid: number }> = {
      product: { url: stack.urls.friends.http, pid: stack.pid('friends') },
      baseline: { url: `http://127.0.0.1:${BASELINE_PORT}`, pid: baseline.pid },
    };
    const headers = { authorization: `Bearer ${user.accessToken}` };
    // Same answers from both, or the comparison is void.
    for (const [name, pagePath] of Object.entries(paths)) {
      const [product, bare] = await Promise.all(
        Object.values(sides).map(
          async ({ url }) =>
            (await (await fetch(url + pagePath, { headers })).json()) as FriendsPage,
        ),
      );
      if (JSON.stringify(product) !== JSON.stringify(bare) || product.items?.length !== PAGE_SIZE) {
        throw new Error(`${name}: product and baseline answer differently`);
      }
      if (name === 'page1000' && product.nextCursor !== null) {
        throw new Error('page 1000 is not the last page');
      }
    }
    const revocation = await revocationCost({
      buildDir: stack.buildDir,
      jwksUrl: `${stack.urls.auth.http}/.well-known/jwks.json`,
      tokens: [user.accessToken],
      cached: true,
    });
    ctx.log(
      `revocation check: ${revocation.withUs.toFixed(2)} µs per verification with the set of ` +
        `10,000 ended sessions, ${revocation.withoutUs.toFixed(2)} µs without ` +
        `(one lookup alone ${revocation.lookupNs.toFixed(0)} ns)`,
    );
    const mint = await accessTokenMinter(stack, user.accessToken);
    return { sides, paths, headers, revocation, user, mint };
  },

  async run({ sides, paths, headers, revocation, user, mint }, side, ctx) {
    const { url, pid } = sides[side];
    const tokens = await Promise.all(
      Array.from({ length: DISTINCT_TOKENS }, () => mint(user.userId, user.email)),
    );
    const load = async (
      pagePath: string,
      options: Omit<autocannon.Options, 'url'> = { headers },
    ) => {
      const cpu = ctx.measureCpu(pid);
      const result = await httpLoad({
        url: url + pagePath,
        ...options,
        connections: CONNECTIONS,
        duration: PHASE_SECONDS,
        signal: ctx.signal,
      });
      return { ...result, cpuMs: (cpu() * 1000) / result.requests };
    };
    const first = await load(paths.page1);
    let next = 0;
    const many = await load(paths.page1, {
      requests: [
        {
          method: 'GET',
          path: paths.page1,
          setupRequest: (request) => ({
            ...request,
            headers: { authorization: `Bearer ${tokens[next++ % tokens.length]}` },
          }),
        },
      ],
    });
    const deep = await load(paths.page1000);
    return {
      reqPerSec: first.reqPerSec,
      p99Page1Ms: first.p99Ms,
      reqPerSecManyTokens: many.reqPerSec,
      reqPerSecPage1000: deep.reqPerSec,
      p99Page1000Ms: deep.p99Ms,
      cpuMsPerReq: first.cpuMs,
      cpuMsPerReqManyTokens: many.cpuMs,
      // The product's verification with the revocation set against without, per request.
      ...(side === 'product' && {
        revocationCostPct: (100 * revocation.addedUs) / (first.cpuMs * 1000),
      }),
    };
  },

  async teardown() {},
});
