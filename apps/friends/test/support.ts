/**
 * Helpers of friends' e2e specs: a Kafka recorder for friends' topics, a read-only look at
 * friends' test database (the event store), and the steps most scenarios start with.
 */
import type { Topic } from '@app/contracts';
import { createFriendsClient, FriendsClient } from '@app/friends-client';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import {
  AuthGrpcClient,
  eventually,
  registerUser,
  TestUser,
} from '../../../test/e2e/support/clients';
import { logicalTopic, serviceEnv, stack, topic } from '../../../test/e2e/support/stack';

export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const api = () => request(stack.friends.http);
export const bearer = (user: TestUser) => ({ Authorization: `Bearer ${user.accessToken}` });
/** The typed client of friends, signed in as `user`: how other code talks to friends. */
export const friendsAs = (user: TestUser): FriendsClient =>
  createFriendsClient(stack.friends.http, { token: user.accessToken });
export const pairKeyOf = (a: string, b: string) => [a, b].sort().join(':');

export interface RecordedEvent {
  /** The contract's name (the stack's prefix taken off). */
  topic: string;
  key: string | undefined;
  envelopeId: string;
  payload: Record<string, string | number>;
}

/** Collects every record published on `topics` from the moment it has joined its group. */
export class TopicRecorder {
  readonly events: RecordedEvent[] = [];
  private readonly consumer: Consumer;

  private constructor(private readonly topics: readonly Topic[]) {
    this.consumer = new Kafka({ brokers: BROKERS, logLevel: logLevel.NOTHING }).consumer({
      groupId: `friends-e2e-recorder-${randomUUID()}`,
    });
  }

  static async start(topics: readonly Topic[]): Promise<TopicRecorder> {
    const recorder = new TopicRecorder(topics);
    const joined = new Promise<void>((resolve) =>
      recorder.consumer.on(recorder.consumer.events.GROUP_JOIN, () => resolve()),
    );
    await recorder.consumer.connect();
    await recorder.consumer.subscribe({ topics: topics.map(topic), fromBeginning: false });
    await recorder.consumer.run({
      eachMessage: (record) => {
        const { message } = record;
        const envelope = JSON.parse(message.value?.toString() ?? '{}') as {
          id: string;
          payload: Record<string, string | number>;
        };
        recorder.events.push({
          topic: logicalTopic(record.topic),
          key: message.key?.toString(),
          envelopeId: envelope.id,
          payload: envelope.payload,
        });
        return Promise.resolve();
      },
    });
    await joined;
    return recorder;
  }

  /** The records of one pair, in the order they arrived (one key, one partition: in order). */
  ofPair(a: string, b: string): RecordedEvent[] {
    return this.events.filter((e) => e.key === pairKeyOf(a, b));
  }

  /** Waits until the pair has at least `count` records, and returns them. */
  async waitForPair(a: string, b: string, count: number): Promise<RecordedEvent[]> {
    return eventually(() => {
      const records = this.ofPair(a, b);
      return Promise.resolve(records.length >= count ? records : undefined);
    }, 20_000);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** A connection to friends' e2e database, for assertions on the event store. */
export async function friendsDb(): Promise<Pool> {
  const pool = new Pool({ connectionString: serviceEnv('friends').DATABASE_URL, max: 4 });
  await pool.query('SELECT 1'); // fail here, not in the middle of a test
  return pool;
}

/** Registers a user through auth and waits until friends' directory knows them. */
export async function registerKnownUser(
  auth: AuthGrpcClient,
  db: Pool,
  prefix: string,
): Promise<TestUser> {
  const user = await registerUser(auth, prefix);
  await eventually(async () => {
    const { rowCount } = await db.query('SELECT 1 FROM users WHERE id = $1', [user.userId]);
    return rowCount === 1 ? true : undefined;
  }, 30_000);
  return user;
}

/** `from` asks `to`; returns the request id. */
export async function sendRequest(from: TestUser, to: TestUser): Promise<string> {
  const { data, error, response } = await friendsAs(from).POST('/v1/friends/requests', {
    body: { userId: to.userId },
  });
  if (!data) throw new Error(`request failed: ${response.status} ${error?.code}`);
  return data.id;
}

/** Makes `a` and `b` friends through the API. */
export async function befriend(a: TestUser, b: TestUser): Promise<void> {
  const id = await sendRequest(a, b);
  const { error, response } = await friendsAs(b).POST('/v1/friends/requests/{id}/accept', {
    params: { path: { id } },
  });
  if (error) throw new Error(`accept failed: ${response.status} ${error.code}`);
}

/** The pair's stored history: (version, type) oldest first, and its snapshot. */
export async function storedPair(
  db: Pool,
  a: string,
  b: string,
): Promise<{
  events: { version: number; type: string; data: Record<string, string> }[];
  snapshot: { version: number; state: unknown } | undefined;
}> {
  const id = pairKeyOf(a, b);
  const events = await db.query<{ version: number; type: string; data: Record<string, string> }>(
    'SELECT version, type, data FROM friendship_events WHERE aggregate_id = $1 ORDER BY version',
    [id],
  );
  const snapshot = await db.query<{ version: number; state: unknown }>(
    'SELECT version, state FROM friendship_pairs WHERE id = $1',
    [id],
  );
  return { events: events.rows, snapshot: snapshot.rows[0] };
}
