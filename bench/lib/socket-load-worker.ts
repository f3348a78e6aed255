// A load-generator process of the socket.io benchmarks: it holds many socket.io-client
// connections and drives them on its parent's orders (IPC). A worker owns whole rooms
// (chats): a room's sender and its receivers live in the same process, so a delivery's
// latency is two readings of one clock.
//
// Orders (each answered with `{type: 'done', id, result}` or `{type: 'failed', id, error}`):
//   connect {side, url, rooms, createChats?, batch}  open every member's socket (added to the
//                                               side's rooms); with createChats,
//                                               the first member of each room creates the
//                                               group chat (`chat:create`) and the room
//                                               takes its id
//   phase {side, event, mode, durationMs, ratePerSec?}  one measurement; see runPhase
//   disconnect {side}                          close the side's sockets
//
// The same code drives messenger and the bare baseline: both take `typing {chatId}` and
// `message:send {chatId, clientMessageId, text}`, acknowledge them, and push `typing` /
// `message:new` to the room (see socket-baseline-server.ts).
//
// The parent imports this module's types only (`import type`), never the module itself.

import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { WorkerReply } from './worker-pool';

/** Acks slower than this count as failed sends. */
const ACK_TIMEOUT_MS = 10_000;
/** How long a phase waits after its window for deliveries still in flight. */
const DRAIN_MS = 10_000;

export interface Member {
  userId: string;
  /** the handshake `auth` of its socket */
  auth: Record<string, unknown>;
  /**
   * the server it connects to, when not the order's (J spreads a chat's members over two
   * messenger instances)
   */
  url?: string;
  socket?: Socket;
}

export interface Room {
  /** given (baseline) or created by `connect` (product) */
  chatId?: string;
  members: Member[];
}

export interface ConnectOrder {
  type: 'connect';
  side: string;
  url: string;
  rooms: Room[];
  createChats?: boolean;
  batch?: number;
}

export interface PhaseOrder {
  type: 'phase';
  side: string;
  event: 'typing' | 'message:send';
  mode: 'closed' | 'open';
  durationMs: number;
  ratePerSec?: number;
  keepLatencies?: boolean;
  sendersPerRoom?: number;
}

export interface DisconnectOrder {
  type: 'disconnect';
  side: string;
}

/** An order from the parent, with the id its answer carries. */
export type WorkerOrder = (ConnectOrder | PhaseOrder | DisconnectOrder) & { id: number };

/** What the worker sends its parent. */
export type WorkerMessage = WorkerReply;

export interface ConnectResult {
  sockets: number;
  connectMs: number;
  chatIds: (string | undefined)[];
}

/** Counts of one phase; `merge`-able across workers (socket-bench.ts). */
export interface PhaseCounts {
  sends: number;
  acked: number;
  ackErrors: number;
  expected: number;
  received: number;
  inWindow: number;
  orderViolations: number;
  missing: number;
  extra: number;
  foreign: number;
}

export interface PhaseResult extends PhaseCounts {
  firstError: string;
  windowMs: number;
  sendingMs: number;
  lost: number;
  latencies: number[];
}

/** What the servers push: `typing` to the room's others, `message:new` to all of it. */
interface TypingPayload {
  chatId: string;
  userId: string;
}
interface MessageNewPayload {
  message?: { chatId: string; seq: number; text: string };
}
/** The acknowledgement of `typing`, `message:send` and `chat:create`. */
interface AckReply {
  ok: boolean;
  error?: unknown;
  message?: { seq: number };
  chat?: { id: string };
}

/** Counts deliveries for the phase running. */
interface PhaseListener {
  onTyping(room: Room, member: Member, payload: TypingPayload): void;
  onMessage(room: Room, member: Member, payload: MessageNewPayload): void;
}

/** Rooms of each side ('product', 'baseline'): both stay connected between rounds. */
const roomsBySide = new Map<string, Room[]>();
/** The phase deliveries are counted for; null between phases. */
let current: PhaseListener | null = null;

/** The socket `connect` opened for a member. */
function socketOf(member: Member): Socket {
  if (!member.socket) throw new Error(`member ${member.userId} has no socket`);
  return member.socket;
}

/** Opens one socket and resolves once the server accepted it. */
function open(url: string, auth: Record<string, unknown>): Promise<Socket> {
  const socket = io(url, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(new Error(`connect_error: ${error.message}`));
    });
  });
}

/**
 * Emits with an acknowledgement; resolves the ack body (as the servers shape it: a type,
 * not a check) or rejects on timeout.
 */
function emitWithAck(socket: Socket, event: string, payload: unknown): Promise<AckReply> {
  return socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload) as Promise<AckReply>;
}

async function connect({
  side,
  url,
  rooms,
  createChats = false,
  batch = 100,
}: ConnectOrder): Promise<ConnectResult> {
  // A side may be connected in stages (G plans its users from the first stage's cost).
  roomsBySide.set(side, [...(roomsBySide.get(side) ?? []), ...rooms]);
  const members = rooms.flatMap((room) => room.members);
  const started = performance.now();
  // In batches: a thousand simultaneous handshakes only queue up in the server.
  for (let i = 0; i < members.length; i += batch) {
    await Promise.all(
      members.slice(i, i + batch).map(async (member) => {
        member.socket = await open(member.url ?? url, member.auth);
      }),
    );
  }
  if (createChats) {
    for (const room of rooms) {
      const [creator, ...others] = room.members;
      const reply = await emitWithAck(socketOf(creator), 'chat:create', {
        memberIds: others.map((m) => m.userId),
        title: 'bench',
      });
      if (!reply.ok || !reply.chat) {
        throw new Error(`chat:create failed: ${JSON.stringify(reply.error)}`);
      }
      room.chatId = reply.chat.id;
    }
  }
  for (const room of rooms) {
    for (const member of room.members) listen(room, member);
  }
  return {
    sockets: members.length,
    connectMs: performance.now() - started,
    chatIds: rooms.map((room) => room.chatId),
  };
}

/** Counts what a member receives, for whichever phase is running. */
function listen(room: Room, member: Member): void {
  const socket = socketOf(member);
  socket.on('typing', (payload: TypingPayload) => current?.onTyping(room, member, payload));
  socket.on('message:new', (payload: MessageNewPayload) =>
    current?.onMessage(room, member, payload),
  );
}

/**
 * One measurement over every room of this worker.
 *
 * - `mode: 'closed'`: every room has `sendersPerRoom` sends in flight at a time, each from
 *   its own member (one sender: the room's members take turns); a sender sends its next
 *   when its ack arrives. Throughput = deliveries received during the window ÷ the window.
 * - `mode: 'open'`: sends leave on a fixed schedule at a total rate, round-robin over the
 *   rooms, whatever the acks do, and every latency runs from the send's *scheduled* time
 *   (no coordinated omission: a stalled server — or a stalled load generator — shows up
 *   in the percentiles instead of silently slowing the schedule down).
 *
 * `typing` carries nothing but `{chatId}` (messenger refuses unknown fields), so its
 * deliveries are matched to sends in order per (chat, sender) — a single connection per
 * socket keeps them in order. `message:send` carries its send time in `text`, and its
 * deliveries are checked exactly: each member must receive precisely the set of
 * `(chatId, seq)` the acks of its chat announced — none missing, none extra or twice, none
 * of a foreign chat — each chat's in increasing `seq` order.
 */
async function runPhase({
  side,
  event,
  mode,
  durationMs,
  ratePerSec = 0,
  keepLatencies = true,
  sendersPerRoom = 1,
}: PhaseOrder): Promise<PhaseResult> {
  const rooms = roomsBySide.get(side) ?? [];
  const fanout = event === 'typing' ? (m: number) => m - 1 : (m: number) => m;
  /** send times per `chatId|senderId`, for typing */
  const sendTimes = new Map<string, number[]>();
  /** per receiver: how many typings of each `chatId|senderId` it got */
  const typingCounts = new Map<string, number>();
  /** per receiver socket id: last seq seen in its chat */
  const lastSeq = new Map<string | undefined, number>();
  /** per room: the seqs its acks announced */
  const ackedSeqs = new Map(rooms.map((room) => [room, new Set<number | undefined>()]));
  /** per member: the seqs it received from its own chat, in arrival order */
  const receivedSeqs = new Map<Member, number[]>();
  const latencies: number[] = [];
  const stats: PhaseCounts & { firstError: string } = {
    sends: 0,
    acked: 0,
    ackErrors: 0,
    expected: 0,
    received: 0,
    inWindow: 0,
    orderViolations: 0,
    missing: 0,
    extra: 0,
    foreign: 0,
    firstError: '',
  };
  let windowStart = performance.now();
  let windowEnd = windowStart + durationMs;
  const tag = Math.random().toString(36).slice(2, 8);

  const record = (sentAt: number | undefined) => {
    const now = performance.now();
    stats.received++;
    if (now >= windowStart && now <= windowEnd) stats.inWindow++;
    if (keepLatencies && sentAt !== undefined) latencies.push(now - sentAt);
  };

  current = {
    onTyping(room, member, payload) {
      const key = `${payload.chatId}|${payload.userId}`;
      const countKey = `${socketOf(member).id}|${key}`;
      const n = typingCounts.get(countKey) ?? 0;
      typingCounts.set(countKey, n + 1);
      record(sendTimes.get(key)?.[n]);
    },
    onMessage(room, member, payload) {
      const { message } = payload;
      if (!message || message.chatId !== room.chatId) {
        stats.foreign++;
        return;
      }
      const socketId = socketOf(member).id;
      const previous = lastSeq.get(socketId);
      // Concurrent senders may leave gaps (a seq not yet delivered is counted missing at
      // the end), but a member must never see a chat's seq go backwards or repeat.
      if (previous !== undefined && message.seq <= previous) stats.orderViolations++;
      lastSeq.set(socketId, message.seq);
      let seqs = receivedSeqs.get(member);
      if (!seqs) receivedSeqs.set(member, (seqs = []));
      seqs.push(message.seq);
      const sentAt = Number(String(message.text).split(' ')[1]);
      record(Number.isFinite(sentAt) ? sentAt : undefined);
    },
  };

  /**
   * Sends one event from the room's next member (or from `fixedSender`); resolves when
   * acked (or failed). `scheduledAt` is the open loop's planned send time.
   */
  let counter = 0;
  const turn = new Map<Room, number>();
  const sendOne = (room: Room, scheduledAt?: number, fixedSender?: Member): Promise<void> => {
    let sender = fixedSender;
    if (!sender) {
      const index = turn.get(room) ?? 0;
      turn.set(room, (index + 1) % room.members.length);
      sender = room.members[index];
    }
    const sentAt = scheduledAt ?? performance.now();
    let payload: Record<string, unknown>;
    if (event === 'typing') {
      const key = `${room.chatId}|${sender.userId}`;
      let times = sendTimes.get(key);
      if (!times) sendTimes.set(key, (times = []));
      times.push(sentAt);
      payload = { chatId: room.chatId };
    } else {
      counter++;
      payload = {
        chatId: room.chatId,
        clientMessageId: `${tag}-${counter}`,
        text: `bench ${sentAt} message ${counter}`,
      };
    }
    stats.sends++;
    return emitWithAck(socketOf(sender), event, payload).then(
      (reply) => {
        if (reply?.ok) {
          stats.acked++;
          stats.expected += fanout(room.members.length);
          if (event === 'message:send') ackedSeqs.get(room)?.add(reply.message?.seq);
        } else {
          stats.ackErrors++;
          stats.firstError ||= JSON.stringify(reply?.error ?? reply);
        }
      },
      (error: unknown) => {
        stats.ackErrors++;
        stats.firstError ||= error instanceof Error ? error.message : String(error);
      },
    );
  };

  windowStart = performance.now();
  windowEnd = windowStart + durationMs;
  const inFlight: Promise<void>[] = [];
  if (mode === 'closed') {
    const loop = async (room: Room, sender?: Member) => {
      while (performance.now() < windowEnd) await sendOne(room, undefined, sender);
    };
    await Promise.all(
      rooms.flatMap((room) =>
        sendersPerRoom > 1
          ? room.members.slice(0, sendersPerRoom).map((sender) => loop(room, sender))
          : [loop(room)],
      ),
    );
  } else {
    let next = 0;
    const intervalMs = 1000 / ratePerSec;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        const due = Math.min(now, windowEnd) - windowStart;
        // Send k is planned at k × interval (the first at the window's start), so by `due`
        // floor(due / interval) + 1 are due — not floor(due / interval), which sent each
        // one interval after its planned time and added that interval to every latency
        // (20 ms at 50 sends/s per worker; fixed 2026-12-03).
        const target = Math.min(
          Math.floor((due / 1000) * ratePerSec) + 1,
          Math.ceil((durationMs / 1000) * ratePerSec),
        );
        while (stats.sends < target) {
          // The latency clock starts at the planned time, however late this tick runs.
          const scheduledAt = windowStart + stats.sends * intervalMs;
          inFlight.push(sendOne(rooms[next], scheduledAt));
          next = (next + 1) % rooms.length;
        }
        if (now >= windowEnd) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
  }
  const sendingMs = performance.now() - windowStart;
  await Promise.all(inFlight);
  // Deliveries still on their way: wait until every acknowledged send reached every member.
  const drainDeadline = performance.now() + DRAIN_MS;
  while (stats.received < stats.expected && performance.now() < drainDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  current = null;
  if (event === 'message:send') {
    // The exact check: each member's seqs of its chat against what the acks announced.
    for (const room of rooms) {
      const acked = ackedSeqs.get(room) ?? new Set<number | undefined>();
      for (const member of room.members) {
        const got = receivedSeqs.get(member) ?? [];
        const distinct = new Set<number | undefined>(got);
        stats.extra += got.length - distinct.size;
        for (const seq of distinct) if (!acked.has(seq)) stats.extra++;
        for (const seq of acked) if (!distinct.has(seq)) stats.missing++;
      }
    }
  }
  return {
    ...stats,
    windowMs: durationMs,
    sendingMs,
    lost: event === 'message:send' ? stats.missing : Math.max(0, stats.expected - stats.received),
    latencies,
  };
}

function disconnect({ side }: DisconnectOrder): Promise<Record<string, never>> {
  for (const room of roomsBySide.get(side) ?? []) {
    for (const member of room.members) member.socket?.close();
  }
  roomsBySide.delete(side);
  return Promise.resolve({});
}

function handle(order: WorkerOrder): Promise<unknown> {
  switch (order.type) {
    case 'connect':
      return connect(order);
    case 'phase':
      return runPhase(order);
    case 'disconnect':
      return disconnect(order);
  }
}

const ORDER_TYPES = new Set(['connect', 'phase', 'disconnect']);

const answer = (message: WorkerMessage) => process.send?.(message);

process.on('message', (message: unknown) => {
  // The parent (socket-bench.ts) sends WorkerOrders only; the type is what it promises.
  const order = message as WorkerOrder;
  if (!ORDER_TYPES.has(order.type)) {
    answer({ type: 'failed', id: order.id, error: `unknown order ${String(order.type)}` });
    return;
  }
  handle(order).then(
    (result) => answer({ type: 'done', id: order.id, result }),
    (error: unknown) =>
      answer({
        type: 'failed',
        id: order.id,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
});
process.on('disconnect', () => process.exit(0));
answer({ type: 'ready' });
