/**
 * friends as a consumer: auth's user events feed its directory, and a redelivered event
 * (same envelope id) has no second effect, even when applying it again would change state.
 */
import { EventEnvelope, EventPayload, Topic, Topics } from '@app/contracts';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { eventually } from '../../../test/e2e/support/clients';
import { topic as stackTopic } from '../../../test/e2e/support/stack';
import { BROKERS, friendsDb } from './support';

function envelope<T extends Topic>(
  topic: T,
  payload: EventPayload<T>,
): EventEnvelope<EventPayload<T>> {
  return {
    id: randomUUID(),
    type: topic,
    version: 1,
    occurredAt: new Date().toISOString(),
    producer: 'auth',
    payload,
  };
}

describe('friends: consuming auth events', () => {
  let producer: Producer;
  let db: Pool;
  const known = async (userId: string) =>
    (await db.query('SELECT 1 FROM users WHERE id = $1', [userId])).rowCount === 1;

  beforeAll(async () => {
    db = await friendsDb();
    producer = new Kafka({ brokers: BROKERS, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await db?.end();
  });

  const send = (topic: Topic, key: string, value: EventEnvelope) =>
    producer.send({ topic: stackTopic(topic), messages: [{ key, value: JSON.stringify(value) }] });

  it('applies a replayed registration once: a deleted user is not brought back', async () => {
    const userId = randomUUID();
    const suffix = userId.slice(0, 8);
    const registered = envelope(Topics.UserRegistered, {
      userId,
      email: `replay-${suffix}@example.test`,
      nickname: `replay_${suffix}`,
    });

    await send(Topics.UserRegistered, userId, registered);
    await eventually(async () => ((await known(userId)) ? true : undefined), 20_000);

    await send(Topics.UserDeleted, userId, envelope(Topics.UserDeleted, { userId }));
    await eventually(async () => (!(await known(userId)) ? true : undefined), 20_000);

    // The same registration again, then a marker behind it on the same partition (same
    // key): once the marker is in, the replay has been consumed too.
    await send(Topics.UserRegistered, userId, registered);
    const markerId = randomUUID();
    await send(
      Topics.UserRegistered,
      userId,
      envelope(Topics.UserRegistered, {
        userId: markerId,
        email: `marker-${suffix}@example.test`,
        nickname: `marker_${suffix}`,
      }),
    );
    await eventually(async () => ((await known(markerId)) ? true : undefined), 20_000);

    expect(await known(userId)).toBe(false);
    const processed = await db.query(
      'SELECT consumer_group FROM processed_events WHERE event_id = $1',
      [registered.id],
    );
    expect(processed.rowCount).toBe(1);
  });
});
