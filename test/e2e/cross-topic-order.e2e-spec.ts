/**
 * Kafka keeps order within a partition, not across topics: a pair's `accepted` and
 * `removed` events can reach a consumer in either order (after a broker outage, a lagging
 * partition, a rebalance). friends numbers every event of a pair (`pairVersion`); the
 * read models of profile and messenger must end in the state of the newest event, never
 * of the last to arrive.
 *
 * The same holds for an account, registered on one topic and deleted on another: a
 * deletion seen first must not be undone by the registration arriving after it.
 *
 * The records are produced here straight to the real topics (the stack's, under its topic
 * prefix), newest first, to the running services of the e2e stack; the test then reads
 * their databases.
 */
import { EventEnvelope, EventPayload, pairId, Topic, Topics } from '@app/contracts';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually } from './support/clients';
import { serviceEnv, topic as stackTopic } from './support/stack';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describe('read models follow the newest pair version across topics', () => {
  const kafka = new Kafka({ brokers: BROKERS, clientId: 'order-spec', logLevel: logLevel.NOTHING });
  let producer: Producer;
  const profileDb = new Client({ connectionString: serviceEnv('profile').DATABASE_URL });
  const messengerDb = new Client({ connectionString: serviceEnv('messenger').DATABASE_URL });
  const friendsDb = new Client({ connectionString: serviceEnv('friends').DATABASE_URL });

  beforeAll(async () => {
    producer = kafka.producer({ idempotent: true });
    await Promise.all([
      producer.connect(),
      profileDb.connect(),
      messengerDb.connect(),
      friendsDb.connect(),
    ]);
  });

  afterAll(async () => {
    await Promise.all([
      producer?.disconnect(),
      profileDb.end(),
      messengerDb.end(),
      friendsDb.end(),
    ]);
  });

  /** Produces one event under `key` the way the producers' relays do; returns its id. */
  async function produce<T extends Topic>(
    topic: T,
    payload: EventPayload<T>,
    key: string,
  ): Promise<string> {
    const envelope: EventEnvelope<EventPayload<T>> = {
      id: randomUUID(),
      type: topic,
      version: 1,
      occurredAt: new Date().toISOString(),
      producer: topic.slice(0, topic.indexOf('.')),
      payload,
    };
    await producer.send({
      topic: stackTopic(topic),
      acks: -1,
      messages: [{ key, value: JSON.stringify(envelope) }],
    });
    return envelope.id;
  }

  /** Waits until the service's consumer has handled every one of `ids`. */
  const handled = (db: Client, ids: string[]) =>
    eventually(async () => {
      const { rows } = await db.query(
        'SELECT 1 FROM processed_events WHERE event_id = ANY($1::uuid[])',
        [ids],
      );
      return rows.length === ids.length ? true : undefined;
    }, 30_000);

  const friendshipRows = async (db: Client, a: string, b: string) =>
    (
      await db.query(
        `SELECT 1 FROM friendships WHERE (user_id = $1 AND friend_id = $2)
                                      OR (user_id = $2 AND friend_id = $1)`,
        [a, b],
      )
    ).rowCount;

  it('does not resurrect a friendship whose removal arrived before its acceptance', async () => {
    const [ann, ben] = [randomUUID(), randomUUID()];
    const requestId = randomUUID();
    // friends: requested (1), accepted (2), removed (3). The consumers see 3, then 2.
    const removed = await produce(
      Topics.FriendshipRemoved,
      { userId: ann, otherUserId: ben, pairVersion: 3 },
      pairId(ann, ben),
    );
    const accepted = await produce(
      Topics.FriendRequestAccepted,
      { requestId, fromUserId: ann, toUserId: ben, pairVersion: 2 },
      pairId(ann, ben),
    );

    await Promise.all([
      handled(profileDb, [removed, accepted]),
      handled(messengerDb, [removed, accepted]),
    ]);
    expect(await friendshipRows(profileDb, ann, ben)).toBe(0);
    expect(await friendshipRows(messengerDb, ann, ben)).toBe(0);
  });

  it('applies events that arrive in order, including a friendship made again', async () => {
    const [cid, dov] = [randomUUID(), randomUUID()];
    const ids = [
      await produce(
        Topics.FriendRequestAccepted,
        { requestId: randomUUID(), fromUserId: cid, toUserId: dov, pairVersion: 2 },
        pairId(cid, dov),
      ),
      await produce(
        Topics.FriendshipRemoved,
        { userId: dov, otherUserId: cid, pairVersion: 3 },
        pairId(cid, dov),
      ),
      await produce(
        Topics.FriendRequestAccepted,
        { requestId: randomUUID(), fromUserId: dov, toUserId: cid, pairVersion: 5 },
        pairId(cid, dov),
      ),
    ];

    await Promise.all([handled(profileDb, ids), handled(messengerDb, ids)]);
    expect(await friendshipRows(profileDb, cid, dov)).toBe(2);
    expect(await friendshipRows(messengerDb, cid, dov)).toBe(2);
  });

  it("keeps messenger's blocks on the newest event of each direction", async () => {
    const [eve, fay] = [randomUUID(), randomUUID()];
    // eve blocks fay (1) and lifts it (2); fay blocks eve (3). Arrival: 3, 2, 1.
    const ids = [
      await produce(
        Topics.UserBlocked,
        { userId: fay, blockedUserId: eve, pairVersion: 3 },
        pairId(eve, fay),
      ),
      await produce(
        Topics.UserUnblocked,
        { userId: eve, blockedUserId: fay, pairVersion: 2 },
        pairId(eve, fay),
      ),
      await produce(
        Topics.UserBlocked,
        { userId: eve, blockedUserId: fay, pairVersion: 1 },
        pairId(eve, fay),
      ),
    ];

    await handled(messengerDb, ids);
    const { rows } = await messengerDb.query<{ user_id: string; blocked_user_id: string }>(
      `SELECT user_id, blocked_user_id FROM blocks WHERE user_id = ANY($1::uuid[])`,
      [[eve, fay]],
    );
    expect(rows).toEqual([{ user_id: fay, blocked_user_id: eve }]);
  });

  it('does not recreate an account whose deletion arrived before its registration', async () => {
    const gil = randomUUID();
    const deleted = await produce(Topics.UserDeleted, { userId: gil }, gil);
    const registered = await produce(
      Topics.UserRegistered,
      { userId: gil, email: `${gil}@example.com`, nickname: `gil_${gil.slice(0, 8)}` },
      gil,
    );

    const ids = [deleted, registered];
    await Promise.all([profileDb, messengerDb, friendsDb].map((db) => handled(db, ids)));
    for (const [db, table] of [
      [profileDb, 'profiles'],
      [messengerDb, 'users'],
      [friendsDb, 'users'],
    ] as const) {
      const { rowCount } = await db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [gil]);
      expect({ table, rows: rowCount }).toEqual({ table, rows: 0 });
    }
  });
});
