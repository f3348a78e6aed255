// I — catch-up: a client 10,000 timeline events behind syncs to current through
// messenger's `sync` socket event, against a bare keyset read of the same rows from
// PostgreSQL by a baseline process (bench/servers/timeline-keyset-reader.ts).
//
// Setup seeds one group chat in messenger's bench database, straight in SQL (10,000
// messages through `message:send` would take most of the budget): its owner, 10,000
// messages with seq 1..10,000 and their `message.created` events, `last_seq` = 10,000 —
// the rows the product's group commit would have written. The owner connects once (its
// token verified as any) and stays connected.
//
// A round replays the chat from seq 0 `PASSES` times: the product asks `sync {chats:
// [{chatId, afterSeq}], limit: PAGE}` and asks again from the last seq while `hasMore`
// (membership check, the events page, the page's messages, the answer over the socket);
// the baseline process runs the same keyset read of the events with their messages and
// reactions, page by page, and sends back the seqs. Figures: events/s, CPU per 1,000
// events of the server process plus the database's backends. Hard check: every pass
// received every seq 1..N exactly once, in order. A slow machine gets fewer passes per
// round (scale), never fewer than one whole catch-up.

import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { io, type Socket } from 'socket.io-client';
import { TS_NODE_FLAGS } from '../lib/child';
import { type CaseContext, cpuSecondsOf, defineCase } from '../lib/harness';
import { measureCpuOfProcesses, postgresPids } from '../lib/infra-info';
import { benchUsers } from '../lib/socket-bench';
import { benchDatabase } from '../lib/stack';
import type { ReaderMessage, ReadOrder, ReadResult } from '../servers/timeline-keyset-reader';

/** Events the client is behind. */
const EVENTS = 10_000;
/** Events per `sync` page: the most the contract allows (MAX_SYNC_LIMIT), as a client catching up asks. */
const PAGE = Number(process.env.BENCH_I_PAGE ?? 500);
/** Catch-ups per round and side (scaled down on a slow machine, never under one). */
const PASSES = 5;
const READER = path.join(__dirname, '..', 'servers', 'timeline-keyset-reader.ts');

/** Seeds the chat: its owner, EVENTS messages and their timeline events, in one transaction. */
async function seedChat(db: Pool, userId: string): Promise<string> {
  const chatId = randomUUID();
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO users (id, nickname) VALUES ($1::uuid, 'bench_i_' || left(replace($1::text, '-', ''), 20))
       ON CONFLICT (id) DO NOTHING`,
      [userId],
    );
    await client.query(
      `INSERT INTO chats (id, kind, title, created_by, last_seq) VALUES ($1, 'group', 'catch-up', $2, $3)`,
      [chatId, userId, EVENTS],
    );
    await client.query(
      `INSERT INTO chat_members (chat_id, user_id, role) VALUES ($1, $2, 'owner')`,
      [chatId, userId],
    );
    await client.query(
      `INSERT INTO messages (id, chat_id, sender_id, seq, text, client_message_id, created_at)
       SELECT gen_random_uuid(), $1, $2, s,
              'catch-up message ' || s || ': the quick brown fox jumps over the lazy dog',
              'bench-i-' || s, now() - ($3 - s) * interval '1 second'
         FROM generate_series(1, $3::int) AS s`,
      [chatId, userId, EVENTS],
    );
    await client.query(
      `INSERT INTO chat_events (chat_id, seq, type, actor_id, at, message_id)
       SELECT chat_id, seq, 'message.created', sender_id, created_at, id
         FROM messages WHERE chat_id = $1`,
      [chatId],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  await db.query('ANALYZE messages, chat_events');
  return chatId;
}

/** `sync`'s acknowledgement, as far as this case reads it. */
interface SyncReply {
  ok: boolean;
  error?: unknown;
  chats: { events: { seq: number }[]; hasMore: boolean }[];
}

/** Opens the owner's socket; resolves once the handshake is accepted. */
function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(new Error(`connect_error: ${error.message}`));
    });
  });
}

/** One catch-up through messenger: `sync` from seq 0 until `hasMore` is false. */
async function syncAll(socket: Socket, chatId: string): Promise<ReadResult> {
  const seqs: number[] = [];
  let pages = 0;
  let afterSeq = 0;
  for (;;) {
    const reply = (await socket
      .timeout(10_000)
      .emitWithAck('sync', { chats: [{ chatId, afterSeq }], limit: PAGE })) as SyncReply;
    if (!reply.ok) throw new Error(`sync failed: ${JSON.stringify(reply.error)}`);
    const [chat] = reply.chats;
    pages++;
    for (const event of chat.events) seqs.push(event.seq);
    if (!chat.hasMore || chat.events.length === 0) return { seqs, pages };
    afterSeq = chat.events[chat.events.length - 1].seq;
  }
}

/** The baseline reader process and its one-order-at-a-time IPC. */
async function startReader(
  databaseUrl: string,
  ctx: CaseContext,
): Promise<{ pid: number; read: (order: Omit<ReadOrder, 'type' | 'id'>) => Promise<ReadResult> }> {
  const child = fork(READER, [], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    execArgv: [...TS_NODE_FLAGS],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  ctx.defer(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  let waiter: { resolve: (result: ReadResult) => void; reject: (error: Error) => void } | undefined;
  // The reader sends ReaderMessages only.
  child.on('message', (received: unknown) => {
    const message = received as ReaderMessage | undefined;
    if (message?.type === 'done') waiter?.resolve(message.result);
    else if (message?.type === 'failed') waiter?.reject(new Error(message.error));
  });
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`baseline reader exited (${code})`)));
    child.on(
      'message',
      (received: unknown) =>
        (received as ReaderMessage | undefined)?.type === 'ready' && resolve(undefined),
    );
  });
  let nextId = 0;
  return {
    pid: child.pid as number,
    read: (order) =>
      new Promise((resolve, reject) => {
        waiter = { resolve, reject };
        child.send({ ...order, type: 'read', id: ++nextId });
      }),
  };
}

/** How many of seqs 1..n are not where they belong (missing, doubled or out of order). */
function misplaced(seqs: readonly number[], n: number): number {
  let wrong = Math.abs(seqs.length - n);
  for (let i = 0; i < Math.min(seqs.length, n); i++) if (seqs[i] !== i + 1) wrong++;
  return wrong;
}

export default defineCase({
  id: 'I',
  title: 'catch-up: sync 10,000 events behind',
  budgetMs: 90_000,
  rounds: 5,
  metrics: {
    eventsPerSec: { unit: 'events/s', better: 'higher' },
    cpuMsPer1kEvents: { unit: 'CPU ms/1,000 events (server + PostgreSQL)', better: 'lower' },
  },
  // A soft target (the issue sets none for I); see bench/README.md.
  targets: [{ metric: 'eventsPerSec', ratio: { min: 0.25 } }],
  checks: [{ metric: 'misplacedSeqs', equals: 0 }],

  async setup(ctx) {
    const { stack } = ctx;
    await stack.start(['messenger']);
    const [owner] = await benchUsers(stack, 1);
    const db = stack.db('messenger');
    const seeding = performance.now();
    const chatId = await seedChat(db, owner.userId);
    ctx.log(
      `seeded ${EVENTS.toLocaleString('en-US')} events in ${(performance.now() - seeding).toFixed(0)} ms`,
    );
    const socket = await connect(stack.urls.messenger.http, owner.accessToken);
    ctx.defer(() => socket.close());
    const reader = await startReader(stack.databaseUrl('messenger'), ctx);
    const database = benchDatabase('messenger');
    const serverPids: Record<string, number> = {
      product: stack.pid('messenger'),
      baseline: reader.pid,
    };
    return { chatId, socket, reader, db, database, serverPids, passes: PASSES };
  },

  scale(state, factor) {
    state.passes = Math.max(1, Math.round(PASSES * factor));
  },

  async run(state, side) {
    const { chatId, socket, reader, db, database, serverPids, passes } = state;
    // The server process and the database's backends (its pool may open one mid-round).
    const cpu = await measureCpuOfProcesses(
      async () => [serverPids[side], ...(await postgresPids(db, database))],
      cpuSecondsOf,
    );
    let wrong = 0;
    let pages = 0;
    const started = performance.now();
    for (let pass = 0; pass < passes; pass++) {
      const result =
        side === 'product'
          ? await syncAll(socket, chatId)
          : await reader.read({ chatId, afterSeq: 0, limit: PAGE });
      wrong += misplaced(result.seqs, EVENTS);
      pages += result.pages;
    }
    const elapsedSec = (performance.now() - started) / 1000;
    const cpuSec = await cpu();
    if (side !== 'product' && wrong > 0) throw new Error(`the ${side} read ${wrong} seqs wrong`);
    return {
      eventsPerSec: (EVENTS * passes) / elapsedSec,
      cpuMsPer1kEvents: (cpuSec * 1000 * 1000) / (EVENTS * passes),
      msPerCatchUp: (elapsedSec * 1000) / passes,
      pagesPerCatchUp: pages / passes,
      passes,
      misplacedSeqs: wrong,
    };
  },

  async teardown() {},
});
