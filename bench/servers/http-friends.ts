// Baseline of case C: GET /v1/friends on bare node:http with a raw `pg` Pool. It does the
// work the product cannot skip — verify the Bearer token (jose, ES256, auth's JWKS, the
// same options), decode the cursor, run the same keyset query, answer the same JSON — and
// nothing else (no Nest, Express, validation pipe, ETag or logging).
// Env: PORT, DATABASE_URL.

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import { bearerUser, loadJwks } from './bearer';

const { PORT, DATABASE_URL } = process.env;

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });

/** The statements of FriendshipsRepository.listPage, with and without a keyset. */
const COLUMNS =
  'SELECT friend_id, round(extract(epoch FROM created_at) * 1000)::float8 AS created_ms ' +
  'FROM friendships WHERE user_id = $1';
const ORDER = ' ORDER BY created_at DESC, friend_id DESC LIMIT $2';
const FIRST_PAGE = COLUMNS + ORDER;
const NEXT_PAGE = COLUMNS + ' AND (created_at, friend_id) < ($3, $4)' + ORDER;

interface PageRow {
  friend_id: string;
  created_ms: number;
}

const cursorOf = (row: PageRow) =>
  Buffer.from(JSON.stringify([new Date(row.created_ms).toISOString(), row.friend_id])).toString(
    'base64url',
  );

function reply(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method !== 'GET' || url.pathname !== '/v1/friends') return reply(res, 404, {});
  const userId = await bearerUser(req);
  if (!userId) return reply(res, 401, { statusCode: 401, code: 'COMMON.UNAUTHENTICATED' });
  const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 20), 1), 100);
  const cursor = url.searchParams.get('cursor');
  const { rows } = cursor
    ? await pool.query<PageRow>(NEXT_PAGE, [
        userId,
        limit + 1,
        ...(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]),
      ])
    : await pool.query<PageRow>(FIRST_PAGE, [userId, limit + 1]);
  const page = rows.slice(0, limit);
  reply(res, 200, {
    items: page.map((row) => ({ userId: row.friend_id, since: new Date(row.created_ms) })),
    nextCursor: rows.length > limit ? cursorOf(page[page.length - 1]) : null,
  });
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error: unknown) => reply(res, 500, { message: String(error) }));
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
