// A load-generator process of case H (connect storm), forked with an IPC channel. Orders
// (each answered `{type: 'done', id, result}` or `{type: 'failed', id, error}`):
//   prepare {url, tokens, concurrency}  hold the next storm's handshakes (one token each)
//   storm {}                            open them all, `concurrency` handshakes in flight at
//                                       a time (a new one leaves as soon as one completes),
//                                       timing each from `io()` to its `connect` event
//   close {}                            close the storm's sockets; reports how many were
//                                       still connected (none may have dropped meanwhile)
// `prepare` is separate from `storm` so that shipping the tokens is not timed.
//
// The parent imports this module's types only (`import type`), never the module itself.

import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { WorkerReply } from './worker-pool';

/** A handshake slower than this counts as failed. */
const CONNECT_TIMEOUT_MS = 20_000;

export type StormOrder = (
  | { type: 'prepare'; url: string; tokens: string[]; concurrency: number }
  | { type: 'storm' }
  | { type: 'close' }
) & { id: number };

export interface StormResult {
  connected: number;
  failed: number;
  firstError: string;
  latencies: number[];
  elapsedMs: number;
}

export interface CloseResult {
  stillConnected: number;
}

/** What the worker sends its parent. */
export type StormMessage = WorkerReply;

let prepared: { url: string; tokens: string[]; concurrency: number } | undefined;
let sockets: Socket[] = [];

/** Opens one socket; resolves its handshake time, or rejects with the refusal. */
function open(url: string, token: string): Promise<number> {
  const started = performance.now();
  const socket = io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: CONNECT_TIMEOUT_MS,
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(performance.now() - started));
    socket.once('connect_error', (error) => reject(new Error(`connect_error: ${error.message}`)));
  });
}

async function storm(): Promise<StormResult> {
  if (!prepared) throw new Error('storm without prepare');
  const { url, tokens, concurrency } = prepared;
  prepared = undefined;
  const latencies: number[] = [];
  let failed = 0;
  let firstError = '';
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < tokens.length) {
      const token = tokens[next++];
      try {
        latencies.push(await open(url, token));
      } catch (error) {
        failed++;
        firstError ||= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tokens.length) }, lane));
  return {
    connected: latencies.length,
    failed,
    firstError,
    latencies,
    elapsedMs: performance.now() - started,
  };
}

function close(): CloseResult {
  const stillConnected = sockets.filter((s) => s.connected).length;
  for (const socket of sockets) socket.close();
  sockets = [];
  return { stillConnected };
}

const send = (message: StormMessage) => process.send?.(message);

process.on('message', (message: unknown) => {
  // The parent (case H) sends StormOrders only; the type is what it promises.
  const order = message as StormOrder;
  const answer = async () => {
    if (order.type === 'prepare') {
      prepared = { url: order.url, tokens: order.tokens, concurrency: order.concurrency };
      return {};
    }
    if (order.type === 'storm') return storm();
    if (order.type === 'close') return close();
    throw new Error(`unknown order ${String((message as { type?: unknown }).type)}`);
  };
  answer().then(
    (result) => send({ type: 'done', id: order.id, result }),
    (error: unknown) => send({ type: 'failed', id: order.id, error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
