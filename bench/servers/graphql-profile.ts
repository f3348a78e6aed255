// Baseline of case D: profile's committed schema (apps/profile/schema.gql) executed on bare
// node:http, with plain resolvers issuing the same SQL as profile — one batched query per
// level through DataLoader, as profile does — after the same Bearer token verification
// (with the same verified-token cache). No Nest, Apollo, plugins, query limits or logging.
// Like Apollo, it parses and validates a query text once and keeps the document (at most
// DOCUMENT_CACHE_SIZE texts). ENGINE picks the executor: `graphql` (graphql-js `execute`)
// or `jit` (graphql-jit: the query compiled once to a function, kept per text).
// Env: PORT, DATABASE_URL, SCHEMA_FILE, ENGINE, and bearer.ts's.

import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import DataLoader from 'dataloader';
import {
  assertObjectType,
  buildSchema,
  execute,
  type GraphQLFieldResolver,
  parse,
  validate,
} from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import pg from 'pg';
import { bearerUser, loadJwks } from './bearer';

const { PORT, DATABASE_URL, ENGINE = 'graphql' } = process.env;
const SCHEMA_FILE = process.env.SCHEMA_FILE ?? '';
if (ENGINE !== 'graphql' && ENGINE !== 'jit') throw new Error(`ENGINE must be graphql or jit`);
/** Query texts whose parsed (and validated, or compiled) form is kept. */
const DOCUMENT_CACHE_SIZE = 1000;

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
const schema = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));

const COLUMNS = 'p.id, p.nickname, p.display_name, p.bio, p.avatar_url, p.email, p.created_at';

interface ProfileRow {
  id: string;
  nickname: string;
  display_name: string | null;
  bio: string | null;
  avatar_url: string | null;
  email: string | null;
  created_at: Date;
}
interface FriendRow extends ProfileRow {
  key_index: string;
  since: Date;
}
interface Profile {
  id: string;
  nickname: string;
  displayName: string | null;
  bio: string | null;
  avatarUrl: string | null;
  email: string | null;
  createdAt: Date;
}
interface PageKey {
  userId: string;
  limit: number;
}
interface Context {
  userId: string;
  pages: DataLoader<PageKey, FriendRow[]>;
  counts: DataLoader<string, number>;
}

const profileOf = (row: ProfileRow): Profile => ({
  id: row.id,
  nickname: row.nickname,
  displayName: row.display_name,
  bio: row.bio,
  avatarUrl: row.avatar_url,
  email: row.email,
  createdAt: row.created_at,
});
const cursorOf = (parts: unknown[]) =>
  Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');

/** One page of friends per key, in one statement for the whole batch (as profile does). */
async function pages(keys: readonly PageKey[]): Promise<FriendRow[][]> {
  const { rows } = await pool.query<FriendRow>(
    `SELECT k.key_index, friend.*
     FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::uuid[])
          WITH ORDINALITY AS k(user_id, lim, after_since, after_friend, key_index)
     CROSS JOIN LATERAL (
       SELECT f.created_at AS since, ${COLUMNS}
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
      keys.map(() => null),
      keys.map(() => null),
    ],
  );
  const result = keys.map((): FriendRow[] => []);
  for (const row of rows) result[Number(row.key_index) - 1].push(row);
  return result;
}

async function counts(userIds: readonly string[]): Promise<number[]> {
  const { rows } = await pool.query<{ user_id: string; friends: number }>(
    `SELECT f.user_id, count(*)::int AS friends
     FROM friendships f JOIN profiles p ON p.id = f.friend_id
     WHERE f.user_id = ANY($1::uuid[]) GROUP BY f.user_id`,
    [userIds],
  );
  const byUser = new Map(rows.map((row) => [row.user_id, row.friends]));
  return userIds.map((id) => byUser.get(id) ?? 0);
}

/** Field resolvers of Profile; the rest resolve by property name. */
const profileFields: Record<string, GraphQLFieldResolver<Profile, Context, { first?: number }>> = {
  friendsCount: (profile, _args, ctx) => ctx.counts.load(profile.id),
  friends: async (profile, { first }, ctx) => {
    const limit = first ?? 20;
    const rows = await ctx.pages.load({ userId: profile.id, limit: limit + 1 });
    const edges = rows.slice(0, limit).map((row) => ({
      cursor: cursorOf([row.since.toISOString(), row.id]),
      node: profileOf(row),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
    };
  },
  email: (profile, _args, ctx) => {
    if (profile.id !== ctx.userId) throw new Error('FORBIDDEN');
    return profile.email;
  },
};
const profileType = assertObjectType(schema.getType('Profile'));
for (const [name, resolve] of Object.entries(profileFields)) {
  profileType.getFields()[name].resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
}
const me: GraphQLFieldResolver<unknown, Context> = async (_root, _args, ctx) => {
  const { rows } = await pool.query<ProfileRow>(
    `SELECT ${COLUMNS} FROM profiles p WHERE p.id = $1 LIMIT 1`,
    [ctx.userId],
  );
  if (!rows[0]) throw new Error('NOT_FOUND');
  return profileOf(rows[0]);
};
assertObjectType(schema.getQueryType()).getFields().me.resolve = me as GraphQLFieldResolver<
  unknown,
  unknown
>;

/**
 * Query text → how to run it: parsed and validated once (errors are answered as they are,
 * and kept too), then executed by graphql-js or compiled by graphql-jit. Oldest entry
 * dropped when full (a Map iterates in insertion order).
 */
interface Prepared {
  errors?: readonly unknown[];
  run?: (ctx: Context, variables: Record<string, unknown>) => unknown;
}
const documents = new Map<string, Prepared>();

function prepared(query: string): Prepared {
  let entry = documents.get(query);
  if (entry) return entry;
  try {
    const document = parse(query);
    const errors = validate(schema, document);
    if (errors.length > 0) {
      entry = { errors };
    } else if (ENGINE === 'jit') {
      const compiled = compileQuery(schema, document);
      entry = isCompiledQuery(compiled)
        ? { run: (ctx, variables) => compiled.query(undefined, ctx, variables) }
        : { errors: compiled.errors };
    } else {
      entry = {
        run: (contextValue, variableValues) =>
          execute({ schema, document, contextValue, variableValues }),
      };
    }
  } catch (error) {
    entry = { errors: [{ message: String(error) }] };
  }
  if (documents.size >= DOCUMENT_CACHE_SIZE) {
    documents.delete(documents.keys().next().value as string);
  }
  documents.set(query, entry);
  return entry;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/graphql') return reply(res, 404, {});
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const userId = await bearerUser(req);
  if (!userId) return reply(res, 401, { errors: [{ message: 'UNAUTHENTICATED' }] });
  // A bench client's body, typed as it is sent (the product validates; a bare server does not).
  const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    query?: unknown;
    variables?: Record<string, unknown>;
  };
  const { errors, run } = prepared(String(query));
  if (!run) return reply(res, 400, { errors });
  const contextValue: Context = {
    userId,
    pages: new DataLoader(pages, { cache: false }),
    counts: new DataLoader(counts, { cache: false }),
  };
  reply(res, 200, await run(contextValue, variables ?? {}));
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error: unknown) =>
    reply(res, 500, { errors: [{ message: String(error) }] }),
  );
});
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => {
  server.close();
  void pool.end();
  server.closeAllConnections();
});

async function main() {
  await loadJwks();
  server.listen(Number(PORT), '127.0.0.1', () => process.stdout.write('BENCH_SERVER_READY\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
