/**
 * The test's own view of the suite's broker: producing auth's registration events (the
 * suite stands in for auth) and reading topics back to count what was published. Callers
 * name topics by their contract names; on the broker they carry the suite's prefix.
 */
import { EventEnvelope, Topics } from '@app/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DIRECT_BROKERS, FAULTS_TOPIC_PREFIX, faultsTopic } from './layout';

export const kafka = new Kafka({
  clientId: 'faults-spec',
  brokers: [DIRECT_BROKERS],
  logLevel: logLevel.NOTHING,
});

/** Retries `probe` until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`${what} not met within ${timeoutMs} ms${reason}`);
}

/** The envelope of an `auth.user.registered.v1` event for a new user. */
export function registrationEvent(
  userId: string = randomUUID(),
): EventEnvelope<{ userId: string; email: string; nickname: string }> {
  return {
    id: randomUUID(),
    type: Topics.UserRegistered,
    version: 1,
    occurredAt: new Date().toISOString(),
    producer: 'auth',
    payload: {
      userId,
      email: `${userId.slice(0, 8)}@faults.test`,
      nickname: `u_${userId.slice(0, 8)}`,
    },
  };
}

/** Publishes envelopes as their producer's relay would: key = aggregate id, acks from all. */
export async function produce(
  topic: string,
  records: Array<{ key: string; envelope: EventEnvelope }>,
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({
      topic: faultsTopic(topic),
      acks: -1,
      messages: records.map(({ key, envelope }) => ({
        key,
        value: JSON.stringify(envelope),
        headers: { 'event-id': envelope.id, 'event-type': topic },
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

export interface ReadRecord {
  /** The contract's name (without the suite's prefix). */
  topic: string;
  partition: number;
  offset: string;
  key: string;
  envelope: EventEnvelope;
}

/**
 * Every record of `topics` from the beginning up to their end offsets at the time of the
 * call, in partition order (a fresh consumer group of its own).
 */
export async function readTopics(topics: string[], timeoutMs = 30_000): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>(); // `${topic}/${partition}` → end offset
  try {
    for (const topic of topics.map(faultsTopic)) {
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(high) > BigInt(low)) remaining.set(`${topic}/${partition}`, BigInt(high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const records: ReadRecord[] = [];
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `faults-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: topics.map(faultsTopic), fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const id = `${topic}/${partition}`;
        const end = remaining.get(id);
        if (end === undefined) return;
        records.push({
          topic: topic.slice(FAULTS_TOPIC_PREFIX.length),
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? '',
          envelope: JSON.parse(message.value?.toString() ?? 'null') as EventEnvelope,
        });
        if (BigInt(message.offset) + 1n >= end) remaining.delete(id);
        if (remaining.size === 0) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`topics not read to the end in ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return records;
}
