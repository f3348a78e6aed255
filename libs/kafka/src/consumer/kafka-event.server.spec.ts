import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventEnvelope, Topics } from '@app/contracts';
import { FakeTransactionHost, MetricsService, TransactionHost } from '@app/platform';
import type { Consumer, EachMessagePayload } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { KafkaConnection } from '../kafka.connection';
import { KafkaMetrics } from '../kafka.metrics';
import { KAFKA_OPTIONS, KafkaModuleOptions } from '../kafka.options';
import { TopicNames } from '../topic-names';
import { KafkaEventContext } from './event-context';
import { KafkaEventServer } from './kafka-event.server';

/** A registration envelope as auth publishes it. */
function registered(userId = randomUUID()): EventEnvelope {
  return {
    id: randomUUID(),
    type: Topics.UserRegistered,
    version: 1,
    occurredAt: new Date().toISOString(),
    producer: 'auth',
    payload: { userId, email: `${userId.slice(0, 8)}@example.com`, nickname: 'ann' },
  };
}

/**
 * A server under `prefix` over a fake kafkajs consumer that hands records to the server
 * the way kafkajs does, a transaction host whose `processed_events` insert always finds a
 * new id, and a producer that records what it sends.
 */
async function setup(prefix: string) {
  let eachMessage!: (payload: EachMessagePayload) => Promise<void>;
  const consumer = {
    events: { END_BATCH_PROCESS: 'end-batch', CRASH: 'crash' },
    on: jest.fn(),
    connect: jest.fn(() => Promise.resolve()),
    subscribe: jest.fn(() => Promise.resolve()),
    run: jest.fn((config: { eachMessage: typeof eachMessage }) => {
      eachMessage = config.eachMessage;
      return Promise.resolve();
    }),
  };
  const sent: Array<{ topic: string; messages: Array<{ headers: Record<string, string> }> }> = [];
  const producer = { send: jest.fn((record: (typeof sent)[number]) => sent.push(record)) };
  const connection = {
    consumer: () => consumer as unknown as Consumer,
    producer: () => Promise.resolve(producer),
  };
  const query = jest.fn((_sql: string, params: unknown[]) => Promise.resolve([params[1]]));
  const tx = Object.assign(new FakeTransactionHost(), { manager: { query } });
  const metrics = new MetricsService('test');
  const options: KafkaModuleOptions = {
    service: 'friends',
    brokers: [],
    topics: [Topics.UserRegistered],
    topicPrefix: prefix,
    maxAttempts: 1,
  };
  const moduleRef = await Test.createTestingModule({
    providers: [
      KafkaEventServer,
      KafkaMetrics,
      { provide: TopicNames, useValue: new TopicNames(prefix) },
      { provide: KafkaConnection, useValue: connection },
      { provide: TransactionHost, useValue: tx },
      { provide: MetricsService, useValue: metrics },
      { provide: DataSource, useValue: { query: () => Promise.resolve([{ n: '0', age: null }]) } },
      { provide: KAFKA_OPTIONS, useValue: options },
    ],
  }).compile();
  const server = moduleRef.get(KafkaEventServer);
  const handled: Array<{ payload: unknown; topic: string }> = [];
  server.addHandler(
    Topics.UserRegistered,
    (payload: unknown, context: KafkaEventContext) => {
      handled.push({ payload, topic: context.getTopic() });
      return Promise.resolve();
    },
    true,
  );
  let listenError: unknown;
  await server.listen((error) => (listenError = error));
  expect(listenError).toBeUndefined();
  /** Delivers one record on the broker's topic `topic`, as kafkajs would. */
  const deliver = (topic: string, value: string) =>
    eachMessage({
      topic,
      partition: 0,
      message: { key: Buffer.from('k'), value: Buffer.from(value), offset: '0', headers: {} },
      heartbeat: () => Promise.resolve(),
    } as unknown as EachMessagePayload);
  return { consumer, deliver, handled, query, sent, metrics: metrics.registry };
}

describe('KafkaEventServer under a topic prefix', () => {
  // Dead-lettering logs an error by design; the assertions below are what matters here.
  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('subscribes to the prefixed topics', async () => {
    const { consumer } = await setup('e2e1.');
    expect(consumer.subscribe).toHaveBeenCalledWith({
      topics: ['e2e1.auth.user.registered.v1'],
      fromBeginning: true,
    });
  });

  it('routes a prefixed record to the handler of its contract topic, labelled by that name', async () => {
    const { deliver, handled, query, metrics } = await setup('e2e1.');
    const envelope = registered();

    await deliver('e2e1.auth.user.registered.v1', JSON.stringify(envelope));

    expect(handled).toEqual([{ payload: envelope.payload, topic: Topics.UserRegistered }]);
    // processed_events rows name the contract topic, as the outbox does.
    expect(query.mock.calls[0][1]).toEqual(['friends', envelope.id, Topics.UserRegistered]);
    const { values } = await metrics.getSingleMetric('kafka_events_consumed_total')!.get();
    expect(values).toEqual([
      expect.objectContaining({
        labels: expect.objectContaining({ topic: Topics.UserRegistered, outcome: 'processed' }),
        value: 1,
      }),
    ]);
    expect(await metrics.metrics()).not.toContain('e2e1.');
  });

  it('dead-letters to the prefixed DLQ, naming the contract topic as the origin', async () => {
    const { deliver, handled, sent } = await setup('bench.');

    await deliver('bench.auth.user.registered.v1', '{not json');

    expect(handled).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0].topic).toBe('bench.auth.user.registered.v1.dlq');
    expect(sent[0].messages[0].headers['dlq-original-topic']).toBe(Topics.UserRegistered);
  });

  it('uses the contract names as they are without a prefix', async () => {
    const { consumer, deliver, handled, sent } = await setup('');
    expect(consumer.subscribe).toHaveBeenCalledWith({
      topics: ['auth.user.registered.v1'],
      fromBeginning: true,
    });

    await deliver('auth.user.registered.v1', JSON.stringify(registered()));
    await deliver('auth.user.registered.v1', 'null');

    expect(handled).toHaveLength(1);
    expect(sent[0].topic).toBe('auth.user.registered.v1.dlq');
  });
});
