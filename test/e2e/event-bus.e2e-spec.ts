/**
 * libs/kafka against the real broker and PostgreSQL: the outbox publishes what commits and
 * nothing that rolls back, consumers apply a redelivered event once, and a poison record
 * goes to the dead-letter topic without stopping the partition, a deleted user's personal
 * fields leave the outbox. It uses
 * `messenger.message.sent.v1`, which no service consumes, so its poison records disturb
 * nobody. Like the stack's services, it works under the stack's topic prefix (ADR 0034):
 * the broker sees `e2e<instance>.messenger.message.sent.v1`, everything else the contract's
 * name.
 */
import { Controller, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { deadLetterTopic, EventPayload, Topics } from '@app/contracts';
import {
  CreateEventTables1732406400000,
  EVENT_ENTITIES,
  EventPublisher,
  KafkaModule,
  kafkaTransport,
  OutboxErasure,
} from '@app/kafka';
import {
  DatabaseModule,
  HealthModule,
  MetricsModule,
  MetricsService,
  TransactionHost,
  TransportExceptionFilter,
} from '@app/platform';
import { Kafka, logLevel } from 'kafkajs';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { eventually } from './support/clients';
import { E2E_TOPIC_PREFIX, testDatabase, topic as stackTopic } from './support/stack';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = testDatabase('eventbus');
const GROUP = `eventbus-spec-${randomUUID().slice(0, 8)}`;
/** The broker's names of the spec's topic and of its dead-letter topic. */
const TOPIC = stackTopic(Topics.MessageSent);
const DLQ = `${E2E_TOPIC_PREFIX}${deadLetterTopic(Topics.MessageSent)}`;

class CreateEffects1732406400001 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE effects (user_id uuid NOT NULL, event_id uuid NOT NULL)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE effects');
  }
}

type MessageSent = EventPayload<typeof Topics.MessageSent>;

/** Chats whose events fail while "their dependency is down" (until the test clears it). */
const outage = new Set<string>();

/** Records one row per applied event, in the consumer's transaction. */
@Controller()
class EffectsConsumer {
  constructor(private readonly tx: TransactionHost) {}

  @EventPattern(Topics.MessageSent)
  async onMessageSent(@Payload() payload: MessageSent): Promise<void> {
    if (payload.memberIds.length === 0) throw new Error('handler failure injected by the test');
    if (outage.has(payload.chatId)) throw new Error('dependency down (injected by the test)');
    await this.tx.manager.query('INSERT INTO effects (user_id, event_id) VALUES ($1, $2)', [
      payload.chatId,
      randomUUID(),
    ]);
  }
}

describe('event bus (outbox → Kafka → idempotent consumer)', () => {
  let app: INestApplication;
  let db: Client;
  const kafka = new Kafka({
    brokers: BROKERS,
    clientId: 'eventbus-spec',
    logLevel: logLevel.NOTHING,
  });

  beforeAll(async () => {
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
    await admin.end();
    const url = ADMIN_URL.replace(/\/[^/]*$/, `/${DB_NAME}`);

    @Module({
      imports: [
        HealthModule.forRoot({ shutdownGraceMs: 0 }),
        MetricsModule.forRoot({ service: 'eventbus-spec' }),
        DatabaseModule.forRoot({
          url,
          entities: EVENT_ENTITIES,
          migrations: [CreateEventTables1732406400000, CreateEffects1732406400001],
        }),
        KafkaModule.forRoot({
          service: 'eventbus-spec',
          groupId: GROUP,
          brokers: BROKERS,
          topics: [Topics.MessageSent],
          topicPrefix: E2E_TOPIC_PREFIX,
          outboxPollMs: 100,
          maxAttempts: 2,
          retryBackoffMs: 50,
        }),
      ],
      controllers: [EffectsConsumer],
    })
    class EventBusSpecModule {}

    // The group is new; start it at the topic's end. Records already there (a local
    // `npm run bench` publishes thousands on this topic) are not this spec's to consume.
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    try {
      if ((await kafkaAdmin.listTopics()).includes(TOPIC)) {
        const ends = await kafkaAdmin.fetchTopicOffsets(TOPIC);
        await kafkaAdmin.setOffsets({
          groupId: GROUP,
          topic: TOPIC,
          partitions: ends.map(({ partition, offset }) => ({ partition, offset })),
        });
      }
    } finally {
      await kafkaAdmin.disconnect();
    }

    app = await NestFactory.create(EventBusSpecModule, { logger: ['error'] });
    app.enableShutdownHooks();
    // As bootstrapService does: the transport gets the global filter (errors pass through).
    app.useGlobalFilters(new TransportExceptionFilter());
    app.connectMicroservice(kafkaTransport(app), { inheritAppConfig: true });
    await app.init();
    await app.startAllMicroservices();
    db = new Client({ connectionString: url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await app?.close();
  });

  const effectsOf = async (chatId: string): Promise<number> => {
    const { rows } = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM effects WHERE user_id = $1',
      [chatId],
    );
    return Number(rows[0].n);
  };
  /** An event of one chat (the aggregate: its id is the key and what effects count). */
  const payload = (
    chatId: string = randomUUID(),
    memberIds: string[] = [randomUUID()],
  ): MessageSent => ({
    messageId: randomUUID(),
    chatId,
    senderId: memberIds[0] ?? randomUUID(),
    memberIds,
  });
  const publish = (event: MessageSent) =>
    app
      .get(TransactionHost)
      .run(() => app.get(EventPublisher).publish(Topics.MessageSent, event, { key: event.chatId }));

  it('delivers a committed event exactly once and marks it published', async () => {
    const event = payload();
    const envelope = await publish(event);
    await eventually(async () => ((await effectsOf(event.chatId)) === 1 ? true : undefined));
    const { rows } = await db.query(
      'SELECT topic, published_at FROM outbox_events WHERE event_id = $1',
      [envelope.id],
    );
    expect(rows[0].published_at).not.toBeNull();
    // The row keeps the contract's name; the prefix is put on when it is sent.
    expect(rows[0].topic).toBe(Topics.MessageSent);
  });

  it('publishes nothing when the transaction rolls back', async () => {
    const event = payload();
    await expect(
      app.get(TransactionHost).run(async () => {
        await app.get(EventPublisher).publish(Topics.MessageSent, event, { key: event.chatId });
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    // A later event on the same key arriving proves the relay has moved past that point.
    const marker = payload(event.chatId);
    await publish(marker);
    await eventually(async () => ((await effectsOf(event.chatId)) >= 1 ? true : undefined));
    expect(await effectsOf(event.chatId)).toBe(1);
    const { rows } = await db.query(
      "SELECT count(*) AS n FROM outbox_events WHERE envelope->'payload'->>'chatId' = $1",
      [event.chatId],
    );
    expect(Number(rows[0].n)).toBe(1);
  });

  it('applies the same record delivered three times once', async () => {
    const event = payload();
    const envelope = {
      id: randomUUID(),
      type: Topics.MessageSent,
      version: 1,
      occurredAt: new Date().toISOString(),
      producer: 'eventbus-spec',
      payload: event,
    };
    const producer = kafka.producer();
    await producer.connect();
    const record = { key: event.chatId, value: JSON.stringify(envelope) };
    await producer.send({ topic: TOPIC, messages: [record, record, record] });
    await producer.disconnect();
    // A follow-up on the same key (same partition) is processed after the three copies.
    const followUp = payload(event.chatId);
    await publish(followUp);
    await eventually(async () => ((await effectsOf(event.chatId)) >= 2 ? true : undefined));
    expect(await effectsOf(event.chatId)).toBe(2); // one for the triplicate, one for the follow-up
  });

  it('sends poison and failing records to the DLQ and keeps the partition flowing', async () => {
    const dlq = kafka.consumer({ groupId: `${GROUP}-dlq` });
    await dlq.connect();
    await dlq.subscribe({ topic: DLQ, fromBeginning: false });
    const key = randomUUID();
    const dead: Array<Record<string, string>> = [];
    await dlq.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        if (headers['dlq-consumer-group'] === GROUP && message.key?.toString() === key) {
          dead.push(headers);
        }
      },
    });
    await new Promise((r) => setTimeout(r, 3000)); // let the DLQ consumer join its group

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: [{ key, value: '{not json' }] });
    await producer.disconnect();
    const failing = payload(key, []); // no members: the test handler fails on it
    await publish(failing);
    const after = payload(key);
    await publish(after);

    await eventually(async () => ((await effectsOf(key)) === 1 ? true : undefined), 20_000);
    await eventually(async () => (dead.length >= 2 ? true : undefined), 20_000);
    await dlq.disconnect();
    expect(dead.map((h) => h['dlq-original-topic'])).toEqual([
      Topics.MessageSent,
      Topics.MessageSent,
    ]);
    expect(dead[0]['dlq-error']).toContain('not JSON');
    expect(dead[0]['dlq-attempts']).toBe('1');
    expect(dead[1]['dlq-error']).toContain('handler failure injected');
    expect(dead[1]['dlq-attempts']).toBe('2');
  });

  it('re-drives dead letters to their topic once the cause is fixed', async () => {
    const startedAt = new Date(Date.now() - 1000).toISOString();
    const event = payload();
    outage.add(event.chatId);
    await publish(event);
    // Dead-lettered after its attempts: the partition moved on, the effect is missing.
    const later = payload();
    await publish(later);
    await eventually(async () => ((await effectsOf(later.chatId)) === 1 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000));
    expect(await effectsOf(event.chatId)).toBe(0);

    outage.delete(event.chatId);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        join(__dirname, '..', '..', 'scripts', 'dlq-redrive.ts'),
        Topics.MessageSent,
        '--since',
        startedAt,
        '--group',
        `${GROUP}-redrive`,
      ],
      {
        env: {
          ...process.env,
          KAFKA_BROKERS: BROKERS.join(','),
          KAFKA_TOPIC_PREFIX: E2E_TOPIC_PREFIX,
        },
      },
    );
    expect(stdout).toMatch(/re-drove [1-9]\d* record\(s\)/);
    await eventually(
      async () => ((await effectsOf(event.chatId)) === 1 ? true : undefined),
      20_000,
    );
  });

  // Counters of consumption may include records of earlier runs on the shared topic (a
  // new group reads from the beginning); publication counts only this app's relay. Labels
  // carry the contract's topic names, not the prefixed ones.
  it('exposes what it did on /metrics: published, consumed, dead-lettered, outbox backlog', async () => {
    const text = await app.get(MetricsService).registry.metrics();
    /** The value of the sample of `name` whose labels include `labels`. */
    const sample = (name: string, labels: Record<string, string>): number => {
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith(`${name}{`) &&
            Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
        );
      return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const topic = Topics.MessageSent;
    expect(sample('kafka_events_published_total', { topic })).toBe(7); // every publish() above
    expect(
      sample('kafka_events_consumed_total', { topic, outcome: 'processed' }),
    ).toBeGreaterThanOrEqual(5);
    expect(
      sample('kafka_events_consumed_total', { topic, outcome: 'duplicate' }),
    ).toBeGreaterThanOrEqual(2);
    expect(sample('kafka_events_dead_lettered_total', { topic })).toBeGreaterThanOrEqual(2);
    expect(sample('kafka_event_retries_total', { topic })).toBeGreaterThanOrEqual(1);
    expect(sample('outbox_backlog_events', {})).toBe(0);
    expect(sample('outbox_oldest_event_age_seconds', {})).toBe(0);
    expect(text).toMatch(/kafka_consumer_lag\{topic="messenger\.message\.sent\.v1",partition="\d"/);
    expect(text).not.toContain(E2E_TOPIC_PREFIX);
  });

  // After the metrics: the rows written here are never sent (published already, or withheld).
  it("erases a deleted user's personal fields from the outbox: published rows keep their ids, unpublished ones are never sent", async () => {
    const tx = app.get(TransactionHost);
    const events = app.get(EventPublisher);
    const [alice, bob] = [randomUUID(), randomUUID()];
    const registered = (userId: string) => ({
      userId,
      email: `${userId}@example.test`,
      nickname: `n_${userId.slice(0, 8)}`,
    });
    // Both users' registrations, committed as the relay leaves them once sent.
    const sent = await tx.run(async () => {
      const envelopes = [
        await events.publish(Topics.UserRegistered, registered(alice), { key: alice }),
        await events.publish(Topics.UserRegistered, registered(bob), { key: bob }),
      ];
      await tx.manager.query(
        'UPDATE outbox_events SET published_at = now() WHERE event_id = ANY($1)',
        [envelopes.map((e) => e.id)],
      );
      return envelopes;
    });

    const { erased, pending } = await tx.run(async () => {
      const envelope = await events.publish(Topics.UserRegistered, registered(alice), {
        key: alice,
      });
      const result = await app
        .get(OutboxErasure)
        .eraseUser(alice, { [Topics.UserRegistered]: ['email', 'nickname'] });
      return { erased: result, pending: envelope };
    });

    expect(erased).toEqual({ redacted: 1, withheld: 1 });
    const { rows } = await db.query<{ event_id: string; payload: unknown }>(
      `SELECT event_id, envelope -> 'payload' AS payload FROM outbox_events
        WHERE event_id = ANY($1) ORDER BY seq`,
      [[...sent.map((e) => e.id), pending.id]],
    );
    expect(rows).toEqual([
      { event_id: sent[0].id, payload: { userId: alice, email: null, nickname: null } },
      { event_id: sent[1].id, payload: registered(bob) },
    ]);
  });
});
