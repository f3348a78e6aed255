/**
 * Every stack started on one machine shares the broker. Each e2e stack publishes and
 * consumes under its own topic prefix (`KAFKA_TOPIC_PREFIX=e2e<instance>.`, ADR 0034), so
 * it neither replays other stacks' events nor feeds them its own. This spec follows a
 * registration and a friend request of this stack: their events are on the prefixed
 * topics, the stack's consumers applied them from there, and none of them is on the bare
 * contract topics.
 *
 * Other stacks (`npm run up`, older checkouts) may be writing to the bare topics while it
 * runs, so it looks there for this stack's own event ids and users only.
 */
import { type EventEnvelope, Topics } from '@app/contracts';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { EventRecorder } from './support/accounts';
import {
  authClient,
  type AuthGrpcClient,
  eventually,
  registerUser,
  type TestUser,
} from './support/clients';
import { E2E_TOPIC_PREFIX, serviceEnv, stack, topic } from './support/stack';

/** Contract topics this spec's actions publish to. */
const WATCHED = [Topics.UserRegistered, Topics.FriendRequestSent] as const;

/** Offset per `topic/partition`. */
type Offsets = Map<string, bigint>;

/** The end (high watermark) of every partition of `topics`; none for a missing topic. */
async function endOffsets(admin: Admin, topics: readonly string[]): Promise<Offsets> {
  const existing = new Set(await admin.listTopics());
  const ends: Offsets = new Map();
  for (const name of topics.filter((t) => existing.has(t))) {
    for (const { partition, high } of await admin.fetchTopicOffsets(name)) {
      ends.set(`${name}/${partition}`, BigInt(high));
    }
  }
  return ends;
}

/**
 * Every record written to `topics` between `from` (a partition missing there: from its
 * first offset) and `to`, read by a consumer group of its own placed at `from`.
 */
async function recordsBetween(
  kafka: Kafka,
  admin: Admin,
  topics: readonly string[],
  from: Offsets,
  to: Offsets,
): Promise<Array<{ topic: string; envelope: Partial<EventEnvelope> | undefined }>> {
  const groupId = `topic-prefix-spec-${randomUUID()}`;
  const pending = new Map<string, bigint>();
  const present = topics.filter((t) => [...to.keys()].some((k) => k.startsWith(`${t}/`)));
  for (const name of present) {
    const partitions: Array<{ partition: number; offset: string }> = [];
    for (const { partition, low } of await admin.fetchTopicOffsets(name)) {
      const id = `${name}/${partition}`;
      const start = from.get(id) ?? BigInt(low);
      const end = to.get(id) ?? start;
      partitions.push({ partition, offset: String(start) });
      if (end > start) pending.set(id, end);
    }
    await admin.setOffsets({ groupId, topic: name, partitions });
  }
  const records: Array<{ topic: string; envelope: Partial<EventEnvelope> | undefined }> = [];
  if (pending.size === 0) return records;

  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: present });
    await consumer.run({
      eachMessage: ({ topic: name, partition, message }) => {
        const id = `${name}/${partition}`;
        const end = pending.get(id);
        if (end === undefined || BigInt(message.offset) >= end) return Promise.resolve();
        let envelope: Partial<EventEnvelope> | undefined;
        try {
          envelope = JSON.parse(message.value?.toString() ?? '') as Partial<EventEnvelope>;
        } catch {
          // not JSON (other suites write poison records on purpose)
        }
        records.push({ topic: name, envelope });
        if (BigInt(message.offset) + 1n >= end) pending.delete(id);
        return Promise.resolve();
      },
    });
    await eventually(() => Promise.resolve(pending.size === 0 ? true : undefined), 30_000);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

describe('an e2e stack keeps to its own Kafka topics', () => {
  const kafka = new Kafka({
    clientId: 'topic-prefix-spec',
    brokers: serviceEnv('auth').KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const messengerDb = new Client({ connectionString: serviceEnv('messenger').DATABASE_URL });
  const authDb = new Client({ connectionString: serviceEnv('auth').DATABASE_URL });
  let auth: AuthGrpcClient;
  let events: EventRecorder;
  let bareBefore: Offsets;

  beforeAll(async () => {
    await Promise.all([admin.connect(), messengerDb.connect(), authDb.connect()]);
    // Where the bare topics end before this spec acts: anything of ours would come after.
    bareBefore = await endOffsets(admin, WATCHED);
    auth = authClient();
    events = await EventRecorder.start(WATCHED);
  });

  afterAll(async () => {
    auth?.close();
    await Promise.all([events?.stop(), admin.disconnect(), messengerDb.end(), authDb.end()]);
  });

  it('runs its services with the prefix of its instance', () => {
    expect(E2E_TOPIC_PREFIX).toMatch(/^e2e\d\.$/);
    for (const service of ['auth', 'profile', 'friends', 'messenger'] as const) {
      expect(serviceEnv(service).KAFKA_TOPIC_PREFIX).toBe(E2E_TOPIC_PREFIX);
    }
  });

  it('publishes and consumes on the prefixed topics, and nothing on the bare names', async () => {
    const [ann, ben]: TestUser[] = await Promise.all([
      registerUser(auth, 'prefix'),
      registerUser(auth, 'prefix'),
    ]);
    // friends learns of ben from his registration on this stack's topic: retry until then.
    const request = await eventually(async () => {
      const response = await fetch(`${stack.friends.http}/v1/friends/requests`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ann.accessToken}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ userId: ben.userId }),
      });
      return response.status === 201 ? ((await response.json()) as { id: string }) : undefined;
    }, 30_000);

    // On the prefixed topics (the recorder subscribes to `topic(…)` names).
    const recorded = await Promise.all([
      events.find(Topics.UserRegistered, (p) => p.userId === ann.userId),
      events.find(Topics.UserRegistered, (p) => p.userId === ben.userId),
      events.find(Topics.FriendRequestSent, (p) => p.requestId === request.id),
    ]);
    const ids = recorded.map((r) => r.envelope.id);
    expect(recorded.map((r) => r.envelope.type)).toEqual([
      Topics.UserRegistered,
      Topics.UserRegistered,
      Topics.FriendRequestSent,
    ]);
    expect((await admin.listTopics()).sort()).toEqual(
      expect.arrayContaining([
        topic(Topics.UserRegistered),
        `${topic(Topics.UserRegistered)}.dlq`,
        topic(Topics.FriendRequestSent),
      ]),
    );

    // The outbox keeps the contract's name: the prefix belongs to the stack, not the row.
    const outbox = await authDb.query<{ topic: string }>(
      'SELECT topic FROM outbox_events WHERE event_id = ANY($1::uuid[])',
      [ids.slice(0, 2)],
    );
    expect(outbox.rows).toEqual([
      { topic: Topics.UserRegistered },
      { topic: Topics.UserRegistered },
    ]);
    // messenger applied both registrations from the prefixed topic, filed by contract name.
    const applied = await eventually(async () => {
      const { rows } = await messengerDb.query<{ topic: string }>(
        'SELECT topic FROM processed_events WHERE event_id = ANY($1::uuid[])',
        [ids.slice(0, 2)],
      );
      return rows.length === 2 ? rows : undefined;
    }, 30_000);
    expect(applied.map((r) => r.topic)).toEqual([Topics.UserRegistered, Topics.UserRegistered]);

    // Nothing of this stack's went to the bare contract topics (read up to their end now,
    // after every one of its events was on the prefixed topics).
    const bareNow = await endOffsets(admin, WATCHED);
    const bare = await recordsBetween(kafka, admin, WATCHED, bareBefore, bareNow);
    const ours = new Set([...ids, ann.userId, ben.userId]);
    const leaked = bare.filter(({ envelope }) =>
      [envelope?.id, ...Object.values((envelope?.payload ?? {}) as Record<string, unknown>)].some(
        (value) => typeof value === 'string' && ours.has(value),
      ),
    );
    expect(leaked).toEqual([]);
  });
});
