// E — event propagation friends → Kafka → messenger: from the moment friends answers an
// accepted friend request (the state change and its outbox row are committed) until
// messenger's friendship replica holds the new row. Baseline: a bare kafkajs producer and
// consumer (own group) on the same broker with the settings libs/kafka uses — idempotent
// producer, one request in flight, acks from all replicas; consumer session 30 s,
// heartbeat 3 s, fetch defaults — timing send → eachMessage.
// Events go one at a time (the next after the previous arrived), so each latency is the
// pipeline's, not a queue's.

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { LatencyRecorder } from '../lib/load.mjs';
import { BENCH_INSTANCE } from '../lib/stack.mjs';

const USERS = 32;
const EVENTS_PER_ROUND = 30;
const ROUNDS = 5;
/** How often the replica is polled while waiting; bounds the measurement's own error. */
const POLL_MS = 1;
const EVENT_TIMEOUT_MS = 10_000;
const TOPIC = `bench.propagation${BENCH_INSTANCE ? `-${BENCH_INSTANCE}` : ''}.v1`;

/**
 * Pending friend requests, each between a pair of users not yet related, enough for every
 * product round including the warm-up.
 */
async function pendingRequests(stack, users, count) {
  const requests = [];
  for (let i = 0; i < users.length && requests.length < count; i++) {
    for (let j = i + 1; j < users.length && requests.length < count; j++) {
      const response = await fetch(`${stack.urls.friends.http}/v1/friends/requests`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${users[i].accessToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ userId: users[j].userId }),
      });
      if (response.status !== 201) {
        throw new Error(`friend request: ${response.status} ${await response.text()}`);
      }
      const { id } = await response.json();
      requests.push({ id, from: users[i], to: users[j] });
    }
  }
  return requests;
}

/** Waits for a user to reach friends' directory (auth's registration event). */
async function waitForUsers(db, users, ctx) {
  const ids = users.map((u) => u.userId);
  while (ctx.remainingMs() > 0) {
    const { rows } = await db.query('SELECT count(*)::int AS n FROM users WHERE id = ANY($1)', [
      ids,
    ]);
    if (rows[0].n === ids.length) return;
    await sleep(100);
  }
  throw new Error('bench users never reached friends');
}

/** The bare kafkajs pair: resolves each sent message's latency when the consumer sees it. */
async function bareKafkaPair(ctx) {
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
  /** @type {Map<string, () => void>} */
  const waiting = new Map();
  let joined;
  const joinedPromise = new Promise((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    eachMessage: async ({ message }) => waiting.get(message.key.toString())?.(),
  });
  await joinedPromise;
  let n = 0;
  return {
    /** Sends one record and resolves with ms until the consumer handled it. */
    async roundTrip() {
      const key = `k${n++}`;
      const arrived = new Promise((resolve) => waiting.set(key, resolve));
      const start = performance.now();
      await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: [{ key, value: JSON.stringify({ id: key, at: Date.now() }) }],
      });
      await Promise.race([
        arrived,
        sleep(EVENT_TIMEOUT_MS).then(() => Promise.reject(new Error('record never arrived'))),
      ]);
      waiting.delete(key);
      return performance.now() - start;
    },
  };
}

export default {
  id: 'E',
  title: 'Event propagation friends → Kafka → messenger replica',
  budgetMs: 150_000,
  rounds: ROUNDS,
  metrics: {
    p50Ms: { unit: 'ms', better: 'lower' },
    p99Ms: { unit: 'ms', better: 'lower' },
  },
  targets: [{ metric: 'p50Ms', maxDelta: 2 }],

  async setup(ctx) {
    const { stack } = ctx;
    await stack.start(['messenger']);
    const users = await stack.registerUsers(USERS, { prefix: 'e' });
    await waitForUsers(stack.db('friends'), users, ctx);
    const requests = await pendingRequests(stack, users, EVENTS_PER_ROUND * (ROUNDS + 1));
    await stack.waitForConsumers(['messenger']);
    const bare = await bareKafkaPair(ctx);
    return { requests, bare, replica: stack.db('messenger'), friendsUrl: stack.urls.friends.http };
  },

  async run(state, side, ctx) {
    const latency = new LatencyRecorder();
    for (let i = 0; i < EVENTS_PER_ROUND && !ctx.signal.aborted; i++) {
      latency.record(
        side === 'baseline' ? await state.bare.roundTrip() : await acceptAndWait(state),
      );
    }
    return { p50Ms: latency.percentile(50), p99Ms: latency.percentile(99) };
  },

  async teardown() {},
};

/** Accepts the next pending request; ms from friends' answer to the replica row. */
async function acceptAndWait(state) {
  const request = state.requests.shift();
  if (!request) throw new Error('ran out of pending friend requests');
  const response = await fetch(`${state.friendsUrl}/v1/friends/requests/${request.id}/accept`, {
    method: 'POST',
    headers: { authorization: `Bearer ${request.to.accessToken}` },
  });
  const committed = performance.now();
  if (!response.ok) throw new Error(`accept: ${response.status} ${await response.text()}`);
  const deadline = committed + EVENT_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const { rowCount } = await state.replica.query(
      'SELECT 1 FROM friendships WHERE user_id = $1 AND friend_id = $2',
      [request.from.userId, request.to.userId],
    );
    if (rowCount) return performance.now() - committed;
    await sleep(POLL_MS);
  }
  throw new Error(`friendship ${request.from.userId}–${request.to.userId} never replicated`);
}
