// E — event propagation friends → Kafka → messenger: from the moment friends has answered
// an accepted friend request (the state change and its outbox row are committed) until
// messenger's consumer begins its transaction applying the event. Baseline: a bare kafkajs
// producer and consumer (own group) on the same broker with the settings libs/kafka uses —
// idempotent producer, one request in flight, acks from all replicas; consumer session
// 30 s, heartbeat 3 s, fetch defaults — from just before the send until `eachMessage`.
// Both sides are timed on PostgreSQL's clock (`clock_timestamp()`; friends' and
// messenger's databases share the server): the start is read by the bench from the server
// (product: right after the accept answer; baseline: right before the send), the end is
// messenger's `processed_events.processed_at` (its handling transaction's start, written
// by the product itself — no polling error) or, for the baseline, read by the consumer in
// `eachMessage`. Events go one at a time (the next after the previous arrived), so each
// latency is the pipeline's, not a queue's; 200 per round.

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { type CaseContext, defineCase } from '../lib/harness';
import { LatencyRecorder } from '../lib/load';
import { BENCH_INSTANCE, type BenchStack, type RegisteredUser, serviceEnv } from '../lib/stack';

const EVENTS_PER_ROUND = 200;
const ROUNDS = 5;
/** Users whose pairs give a pending request for every event of every round and the warm-up. */
const USERS = Math.ceil((1 + Math.sqrt(1 + 8 * EVENTS_PER_ROUND * (ROUNDS + 1))) / 2);
/** PostgreSQL's clock, in ms with the fraction (a JS Date would keep whole ms only). */
const NOW_MS = 'SELECT extract(epoch FROM clock_timestamp())::float8 * 1000 AS ms';
/** How often the replica is polled while waiting; bounds the measurement's own error. */
const POLL_MS = 1;
const EVENT_TIMEOUT_MS = 10_000;
const TOPIC = `bench.propagation${BENCH_INSTANCE ? `-${BENCH_INSTANCE}` : ''}.v1`;

/** A friend request `from` sent `to`, not yet answered. */
interface PendingRequest {
  id: string;
  from: RegisteredUser;
  to: RegisteredUser;
}

/** The bare kafkajs pair of the baseline. */
interface BarePair {
  roundTrip(): Promise<number>;
}

interface PropagationState {
  requests: PendingRequest[];
  bare: BarePair;
  friends: Pool;
  replica: Pool;
  group: string;
  friendsUrl: string;
}

/**
 * Pending friend requests, each between a pair of users not yet related, enough for every
 * product round including the warm-up.
 */
async function pendingRequests(
  stack: BenchStack,
  users: RegisteredUser[],
  count: number,
): Promise<PendingRequest[]> {
  const pairs: [number, number][] = [];
  for (let i = 0; i < users.length && pairs.length < count; i++) {
    for (let j = i + 1; j < users.length && pairs.length < count; j++) pairs.push([i, j]);
  }
  if (pairs.length < count)
    throw new Error(`${users.length} users give only ${pairs.length} pairs`);
  const requests = new Array<PendingRequest>(pairs.length);
  let next = 0;
  const worker = async () => {
    while (next < pairs.length) {
      const index = next++;
      const [from, to] = pairs[index].map((k) => users[k]);
      const response = await fetch(`${stack.urls.friends.http}/v1/friends/requests`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${from.accessToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ userId: to.userId }),
      });
      if (response.status !== 201) {
        throw new Error(`friend request: ${response.status} ${await response.text()}`);
      }
      const { id } = (await response.json()) as { id: string };
      requests[index] = { id, from, to };
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return requests;
}

/** Waits for a user to reach friends' directory (auth's registration event). */
async function waitForUsers(db: Pool, users: RegisteredUser[], ctx: CaseContext): Promise<void> {
  const ids = users.map((u) => u.userId);
  while (ctx.remainingMs() > 0) {
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM users WHERE id = ANY($1)',
      [ids],
    );
    if (rows[0].n === ids.length) return;
    await sleep(100);
  }
  throw new Error('bench users never reached friends');
}

/**
 * The bare kafkajs pair: resolves each sent message's latency when the consumer sees it,
 * both ends read from PostgreSQL's clock through `clock` (a pool).
 */
async function bareKafkaPair(ctx: CaseContext, clock: Pool): Promise<BarePair> {
  const kafka = new Kafka({
    clientId: 'bench-e',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  const consumer = kafka.consumer({
    groupId: `bench-e${BENCH_INSTANCE ? `-${BENCH_INSTANCE}` : ''}`,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
  });
  ctx.defer(() => consumer.disconnect());
  ctx.defer(() => producer.disconnect());
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: false });
  const waiting = new Map<string, (ms: number) => void>();
  let joined: (() => void) | undefined;
  const joinedPromise = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined?.());
  await consumer.run({
    eachMessage: async ({ message }) => {
      const done = waiting.get(message.key?.toString() ?? '');
      if (done) done((await clock.query<{ ms: number }>(NOW_MS)).rows[0].ms);
    },
  });
  await joinedPromise;
  let n = 0;
  return {
    /** Sends one record and resolves with ms until the consumer handled it (PostgreSQL's clock). */
    async roundTrip() {
      const key = `k${n++}`;
      const arrived = new Promise<number>((resolve) => waiting.set(key, resolve));
      const start = (await clock.query<{ ms: number }>(NOW_MS)).rows[0].ms;
      await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: [{ key, value: JSON.stringify({ id: key, at: Date.now() }) }],
      });
      const end = await Promise.race([
        arrived,
        sleep(EVENT_TIMEOUT_MS).then(() => Promise.reject(new Error('record never arrived'))),
      ]);
      waiting.delete(key);
      return end - start;
    },
  };
}

export default defineCase({
  id: 'E',
  title: 'Event propagation friends → Kafka → messenger replica',
  budgetMs: 180_000,
  rounds: ROUNDS,
  metrics: {
    p50Ms: { unit: 'ms', better: 'lower' },
    p99Ms: { unit: 'ms', better: 'lower' },
  },
  targets: [{ metric: 'p50Ms', maxDelta: 2 }],

  async setup(ctx): Promise<PropagationState> {
    const { stack } = ctx;
    await stack.start(['messenger']);
    const users = await stack.registerUsers(USERS, { prefix: 'e' });
    await waitForUsers(stack.db('friends'), users, ctx);
    const requests = await pendingRequests(stack, users, EVENTS_PER_ROUND * (ROUNDS + 1));
    await stack.waitForConsumers(['messenger']);
    const bare = await bareKafkaPair(ctx, stack.db('friends'));
    return {
      requests,
      bare,
      friends: stack.db('friends'),
      replica: stack.db('messenger'),
      group: serviceEnv('messenger').KAFKA_GROUP_ID,
      friendsUrl: stack.urls.friends.http,
    };
  },

  async run(state, side, ctx) {
    const latency = new LatencyRecorder();
    if (side === 'baseline') {
      for (let i = 0; i < EVENTS_PER_ROUND && !ctx.signal.aborted; i++) {
        latency.record(await state.bare.roundTrip());
      }
    } else {
      const accepted = [];
      for (let i = 0; i < EVENTS_PER_ROUND && !ctx.signal.aborted; i++) {
        accepted.push(await acceptAndWait(state));
      }
      for (const ms of await processedLatencies(state, accepted)) latency.record(ms);
    }
    return {
      p50Ms: latency.percentile(50),
      p99Ms: latency.percentile(99),
      events: latency.samples.length,
    };
  },

  async teardown() {},
});

/**
 * Accepts the next pending request, reads PostgreSQL's clock right after friends' answer,
 * and waits for messenger's replica to hold the friendship (so the next event starts on an
 * idle pipeline). Resolves the request id and the start on PostgreSQL's clock.
 */
async function acceptAndWait(
  state: PropagationState,
): Promise<{ requestId: string; startMs: number }> {
  const request = state.requests.shift();
  if (!request) throw new Error('ran out of pending friend requests');
  const response = await fetch(`${state.friendsUrl}/v1/friends/requests/${request.id}/accept`, {
    method: 'POST',
    headers: { authorization: `Bearer ${request.to.accessToken}` },
  });
  const startMs = (await state.friends.query<{ ms: number }>(NOW_MS)).rows[0].ms;
  if (!response.ok) throw new Error(`accept: ${response.status} ${await response.text()}`);
  const deadline = performance.now() + EVENT_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const { rowCount } = await state.replica.query(
      'SELECT 1 FROM friendships WHERE user_id = $1 AND friend_id = $2',
      [request.from.userId, request.to.userId],
    );
    if (rowCount) return { requestId: request.id, startMs };
    await sleep(POLL_MS);
  }
  throw new Error(`friendship ${request.from.userId}–${request.to.userId} never replicated`);
}

/**
 * Per accepted request: messenger's `processed_at` for the acceptance event (found by its
 * id in friends' outbox) minus the start — both PostgreSQL's clock.
 */
async function processedLatencies(
  state: PropagationState,
  accepted: { requestId: string; startMs: number }[],
): Promise<number[]> {
  const { rows: events } = await state.friends.query<{ request_id: string; event_id: string }>(
    `SELECT envelope->'payload'->>'requestId' AS request_id, event_id
       FROM outbox_events
      WHERE topic = 'friends.request.accepted.v1'
        AND envelope->'payload'->>'requestId' = ANY($1::text[])`,
    [accepted.map((a) => a.requestId)],
  );
  const eventOf = new Map(events.map((r) => [r.request_id, r.event_id]));
  const { rows: processed } = await state.replica.query<{ event_id: string; ms: number }>(
    `SELECT event_id, min(extract(epoch FROM processed_at)::float8 * 1000) AS ms
       FROM processed_events
      WHERE consumer_group = $1 AND event_id = ANY($2::uuid[])
      GROUP BY event_id`,
    [state.group, [...eventOf.values()]],
  );
  const processedAt = new Map(processed.map((r) => [r.event_id, r.ms]));
  return accepted.map(({ requestId, startMs }) => {
    const ms = processedAt.get(eventOf.get(requestId) ?? '');
    if (ms === undefined) throw new Error(`no processed event for request ${requestId}`);
    return ms - startMs;
  });
}
