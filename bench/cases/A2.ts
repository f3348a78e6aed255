// A2 — A1 with persistence and the outbox event: messenger's real `message:send` path vs
// a bare socket.io relay fanning out through the Redis adapter on the same Redis (the
// baseline the targets are set against), and the same relay without an adapter (for
// information).
//
// 1,000 connections in rooms (group chats) of 10. Per send, messenger validates the
// payload, takes a rate-limit token, checks membership, stores the message with its seq and
// writes `messenger.message.sent.v1` to the outbox (the relay publishes it to Kafka); after
// commit every member's sockets — the sender's too — get `message:new`. The baselines relay
// the same payload to the whole room (`io.to(room).emit`), numbering messages per room in
// memory.
//
// Per round, product and baseline run three phases, the relay the first only:
// - closed loop, one send in flight per chat (members take turns): delivered msg/s and
//   server CPU per delivery over every server process of the side (the product: messenger,
//   its PostgreSQL backends, Redis and Kafka; the baseline: the relay and Redis);
// - closed loop with 3 concurrent senders per chat, so that ordering can really fail;
// - open loop at a fixed rate (the same on both sides: half of what the product sustained
//   in calibration), latency from each send's scheduled time to its receipt.
// Every member must receive exactly the (chatId, seq) its chat's acks announced, in order.
// After each product round the case waits until Kafka has every acknowledged message's
// event (the outbox drained; the relay lag is reported) and checks that the messages
// stored, acknowledged and published are the same count. Its own consumer of those events
// is paused while the phases run: reading them back is the harness's work, not the
// product's, and would otherwise take the cores (and the broker's CPU, which counts as the
// product's) from the phases it measures. See bench/README.md.

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { type CaseContext, defineCase, type RoundValues } from '../lib/harness';
import { connectRooms, type PhaseSummary, serverCpuMeter } from '../lib/socket-bench';
import { percentile } from '../lib/stats';
import { BENCH_INSTANCE, serviceEnv } from '../lib/stack';

const CONNECTIONS = Number(process.env.BENCH_A2_CONNECTIONS ?? 1000);
const ROOM_SIZE = 10;
const WORKERS = 2;
const THROUGHPUT_MS = Number(process.env.BENCH_A2_THROUGHPUT_MS ?? 3000);
const CONCURRENT_MS = Number(process.env.BENCH_A2_CONCURRENT_MS ?? 2000);
const LATENCY_MS = Number(process.env.BENCH_A2_LATENCY_MS ?? 2000);
const CONCURRENT_SENDERS = 3;
/** Share of the product's calibrated send rate the open loop runs at (below saturation). */
const LATENCY_LOAD = 0.5;
/** Longest wait for the outbox to hand every acknowledged message to Kafka. */
const DRAIN_TIMEOUT_MS = 30_000;
const MESSAGE_SENT_TOPIC = 'messenger.message.sent.v1';

/** The parts of a `messenger.message.sent.v1` envelope this case reads. */
interface MessageSentEnvelope {
  occurredAt?: string;
  payload?: { messageId?: string; chatId?: string };
}

/** What `publishedEvents` has seen of the case's chats. */
interface PublishedEvents {
  readonly count: number;
  /** The relay lags recorded since the last call. */
  takeLags(): number[];
  /** The latest record timestamp (ms, the relay's clock) recorded since the last call. */
  takeLatest(): number;
  /** Stops reading while phases run; what is published meanwhile is read on resume. */
  pause(): void;
  resume(): void;
}

/**
 * A consumer of `messenger.message.sent.v1` in a group of its own, counting the events of
 * the case's chats (distinct message ids) and the relay lag of each: the record's
 * timestamp (set as the relay produces it) minus the envelope's `occurredAt` (the state
 * change). Both are this machine's clock.
 */
async function publishedEvents(
  ctx: CaseContext,
  chatIds: readonly (string | undefined)[],
): Promise<PublishedEvents> {
  const ours = new Set(chatIds);
  const kafka = new Kafka({
    clientId: 'bench-a2',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `bench-a2-${BENCH_INSTANCE}-${Date.now().toString(36)}`,
    allowAutoTopicCreation: false,
  });
  ctx.defer(() => consumer.disconnect());
  await consumer.connect();
  // The bench stack publishes under its own prefix (ADR 0034).
  const topic = serviceEnv('messenger').KAFKA_TOPIC_PREFIX + MESSAGE_SENT_TOPIC;
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  const seen = new Set<unknown>();
  let lags: number[] = [];
  let latest = 0;
  let joined: (() => void) | undefined;
  const joinedPromise = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined?.());
  await consumer.run({
    // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs takes a promise
    eachMessage: async ({ message }) => {
      let envelope: MessageSentEnvelope | null;
      try {
        envelope = JSON.parse(String(message.value)) as MessageSentEnvelope | null;
      } catch {
        return;
      }
      const { messageId, chatId } = envelope?.payload ?? {};
      if (!ours.has(chatId) || seen.has(messageId)) return;
      seen.add(messageId);
      const timestamp = Number(message.timestamp);
      lags.push(timestamp - Date.parse(String(envelope?.occurredAt)));
      latest = Math.max(latest, timestamp);
    },
  });
  await Promise.race([
    joinedPromise,
    sleep(30_000).then(() => Promise.reject(new Error('A2 event consumer never joined'))),
  ]);
  // Joined, but the first fetch fixes the starting offset (latest): let it happen before
  // anything is sent, or the first events could be skipped.
  await sleep(1500);
  return {
    get count() {
      return seen.size;
    },
    /** The relay lags recorded since the last call. */
    takeLags() {
      const taken = lags;
      lags = [];
      return taken;
    },
    takeLatest() {
      const taken = latest;
      latest = 0;
      return taken;
    },
    pause: () => consumer.pause([{ topic }]),
    resume: () => consumer.resume([{ topic }]),
  };
}

export default defineCase({
  id: 'A2',
  title: 'message:send with persistence and outbox, 1,000 connections, chats of 10',
  budgetMs: 330_000,
  rounds: 5,
  sides: ['product', 'baseline', 'relay'],
  metrics: {
    msgPerSec: { unit: 'msg/s', better: 'higher' },
    serverCpuUsPerMsg: { unit: 'µs CPU/msg (all server processes)', better: 'lower' },
    msgPerSec3Senders: { unit: 'msg/s (3 senders per chat)', better: 'higher' },
    p99Ms: { unit: 'ms (open loop)', better: 'lower' },
    p50Ms: { unit: 'ms (open loop)', better: 'lower' },
    closedP99Ms: { unit: 'ms (closed loop)', better: 'lower' },
  },
  targets: [
    { metric: 'msgPerSec', ratio: { min: 0.5 } },
    { metric: 'serverCpuUsPerMsg', ratio: { max: 4 } },
  ],
  checks: [
    { metric: 'ackErrors', equals: 0 },
    { metric: 'missing', equals: 0 },
    { metric: 'extra', equals: 0 },
    { metric: 'foreign', equals: 0 },
    { metric: 'orderViolations', equals: 0 },
    { metric: 'storedMinusAcked', equals: 0 },
    { metric: 'publishedMinusAcked', equals: 0 },
  ],

  async setup(ctx) {
    const { workers, baseline, relay, chatIds } = await connectRooms(ctx, {
      connections: CONNECTIONS,
      roomSize: ROOM_SIZE,
      workers: WORKERS,
    });
    const serverCpu = await serverCpuMeter(ctx, { baseline, relay }, { kafka: true });
    const events = await publishedEvents(ctx, chatIds);
    const db = ctx.stack.db('messenger');
    const storedCount = async () => {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM messages WHERE chat_id = ANY($1::uuid[])',
        [chatIds],
      );
      return rows[0].n;
    };

    // Calibration (also the product's warm-up): the open-loop rate both sides get.
    const calibration = await workers.phase({
      side: 'product',
      event: 'message:send',
      mode: 'closed',
      durationMs: 2000,
      keepLatencies: false,
    });
    if (calibration.ackErrors > 0) {
      throw new Error(`message:send refused during calibration: ${calibration.firstError}`);
    }
    const ratePerSec = Math.max(50, Math.round(((calibration.acked / 2) * LATENCY_LOAD) / 50) * 50);
    ctx.log(
      `open-loop rate for latency: ${ratePerSec} sends/s (${ratePerSec * ROOM_SIZE} deliveries/s)`,
    );
    const state = {
      workers,
      serverCpu,
      events,
      storedCount,
      ratePerSec,
      throughputMs: THROUGHPUT_MS,
      concurrentMs: CONCURRENT_MS,
      latencyMs: LATENCY_MS,
    };
    await waitForDrain(state, calibration.acked, await storedCount(), ctx);
    return state;
  },

  /** A slow machine: shorter phases, same rate. */
  scale(state, factor) {
    state.throughputMs = Math.max(1000, Math.round(THROUGHPUT_MS * factor));
    state.concurrentMs = Math.max(1000, Math.round(CONCURRENT_MS * factor));
    state.latencyMs = Math.max(1000, Math.round(LATENCY_MS * factor));
  },

  async run(state, side, ctx) {
    const { workers } = state;
    const publishedBefore = state.events.count;
    const storedBefore = side === 'product' ? await state.storedCount() : 0;
    state.events.takeLags();
    state.events.takeLatest();
    state.events.pause();

    const serverCpu = await state.serverCpu(side);
    const started = performance.now();
    const throughput = await workers.phase({
      side,
      event: 'message:send',
      mode: 'closed',
      durationMs: state.throughputMs,
    });
    const cpuSec = await serverCpu();
    const elapsedSec = (performance.now() - started) / 1000;
    const phases = [throughput];
    const values: RoundValues = {
      msgPerSec: throughput.inWindow / (state.throughputMs / 1000),
      serverCpuUsPerMsg: (cpuSec / throughput.received) * 1e6,
      closedP99Ms: throughput.latency.p99,
      serverCpuPct: (cpuSec / elapsedSec) * 100,
      sendsPerSec: throughput.acked / (state.throughputMs / 1000),
    };

    if (side !== 'relay') {
      const concurrent = await workers.phase({
        side,
        event: 'message:send',
        mode: 'closed',
        durationMs: state.concurrentMs,
        sendersPerRoom: CONCURRENT_SENDERS,
        keepLatencies: false,
      });
      const latency = await workers.phase({
        side,
        event: 'message:send',
        mode: 'open',
        durationMs: state.latencyMs,
        ratePerSec: state.ratePerSec,
      });
      phases.push(concurrent, latency);
      Object.assign(values, {
        msgPerSec3Senders: concurrent.inWindow / (state.concurrentMs / 1000),
        p99Ms: latency.latency.p99,
        p50Ms: latency.latency.p50,
      });
    }
    const sum = (key: Exclude<keyof PhaseSummary, 'firstError' | 'latency'>) =>
      phases.reduce((total, phase) => total + phase[key], 0);
    Object.assign(values, {
      ackErrors: sum('ackErrors'),
      missing: sum('missing'),
      extra: sum('extra'),
      foreign: sum('foreign'),
      orderViolations: sum('orderViolations'),
    });

    const phasesEnded = Date.now();
    state.events.resume();
    if (side === 'product') {
      const acked = sum('acked');
      const drain = await waitForDrain(
        state,
        acked,
        storedBefore,
        ctx,
        publishedBefore,
        phasesEnded,
      );
      const lags = state.events.takeLags();
      Object.assign(values, {
        storedMinusAcked: drain.stored - acked,
        publishedMinusAcked: drain.published - acked,
        outboxDrainMs: drain.ms,
        relayLagP50Ms: percentile(lags, 50),
        relayLagP99Ms: percentile(lags, 99),
        relayLagMaxMs: percentile(lags, 100),
      });
    }
    return values;
  },

  async teardown(state) {
    for (const side of ['product', 'baseline', 'relay']) await state.workers.disconnect(side);
  },
});

/**
 * Waits until Kafka has an event for every message acknowledged since `publishedBefore`
 * (or DRAIN_TIMEOUT_MS), then reads the stored count: what the round stored, published,
 * and how long after the phases (ended at `phasesEnded`, this machine's clock) the last
 * event reached Kafka — from the records' timestamps, which the relay sets as it
 * produces, so the time the paused consumer takes to catch up is not counted.
 */
async function waitForDrain(
  state: { events: PublishedEvents; storedCount: () => Promise<number> },
  acked: number,
  storedBefore: number,
  ctx: CaseContext,
  publishedBefore = 0,
  phasesEnded = Date.now(),
) {
  const started = performance.now();
  while (
    state.events.count - publishedBefore < acked &&
    performance.now() - started < DRAIN_TIMEOUT_MS &&
    !ctx.signal.aborted
  ) {
    await sleep(20);
  }
  const drained = state.events.count - publishedBefore >= acked;
  const ms = drained
    ? Math.max(0, state.events.takeLatest() - phasesEnded)
    : performance.now() - started;
  // A few more moments for duplicates or strays to show up before counting.
  await sleep(200);
  return {
    ms,
    published: state.events.count - publishedBefore,
    stored: (await state.storedCount()) - storedBefore,
  };
}
