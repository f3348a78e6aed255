import { Test } from '@nestjs/testing';
import { Topics } from '@app/contracts';
import { MetricsService } from '@app/platform';
import { DataSource } from 'typeorm';
import { KafkaConnection } from '../kafka.connection';
import { KafkaMetrics } from '../kafka.metrics';
import { KAFKA_OPTIONS, KafkaModuleOptions } from '../kafka.options';
import { TopicNames } from '../topic-names';
import type { OutboxRow } from './outbox-batch';
import { OutboxRelay } from './outbox-relay';

/** An unpublished outbox row of `topic`, as the relay's SELECT returns it. */
function row(seq: number, topic: string): OutboxRow {
  const id = `00000000-0000-4000-8000-00000000000${seq}`;
  return {
    seq: String(seq),
    event_id: id,
    topic,
    key: `key-${seq}`,
    envelope: { id, type: topic, version: 1, occurredAt: '', producer: 'friends', payload: {} },
    headers: {},
  };
}

/** A relay under `prefix` over a database holding `rows` and a producer that records batches. */
async function setup(prefix: string, rows: OutboxRow[]) {
  const batches: Array<{
    topicMessages: Array<{ topic: string; messages: Array<{ headers: Record<string, string> }> }>;
  }> = [];
  const producer = {
    sendBatch: jest.fn((batch: (typeof batches)[number]) => batches.push(batch)),
  };
  // The read is one multi-statement query: a result per statement, the rows in the last.
  const client = {
    query: jest.fn((sql: string) =>
      Promise.resolve(sql.startsWith('BEGIN;') ? [{}, {}, {}, { rows }] : { rows: [] }),
    ),
  };
  const release = jest.fn();
  const dataSource = {
    driver: { obtainMasterConnection: () => Promise.resolve([client, release]) },
    query: () => Promise.resolve([{ n: '0', age: null }]),
  };
  const metrics = new MetricsService('test');
  const options: KafkaModuleOptions = { service: 'friends', brokers: [], topics: [] };
  const moduleRef = await Test.createTestingModule({
    providers: [
      OutboxRelay,
      KafkaMetrics,
      { provide: TopicNames, useValue: new TopicNames(prefix) },
      { provide: KafkaConnection, useValue: { producer: () => Promise.resolve(producer) } },
      { provide: DataSource, useValue: dataSource },
      { provide: MetricsService, useValue: metrics },
      { provide: KAFKA_OPTIONS, useValue: options },
    ],
  }).compile();
  return {
    relay: moduleRef.get(OutboxRelay),
    batches,
    registry: metrics.registry,
    client,
    release,
    producer,
  };
}

describe('OutboxRelay under a topic prefix', () => {
  it('sends rows to the prefixed topics and counts them by contract topic', async () => {
    const { relay, batches, registry } = await setup('e2e3.', [
      row(1, Topics.FriendRequestSent),
      row(2, Topics.FriendRequestAccepted),
      row(3, Topics.FriendRequestSent),
    ]);

    expect(await relay.relayBatch()).toBe(3);

    expect(batches[0].topicMessages.map((t) => [t.topic, t.messages.length])).toEqual([
      ['e2e3.friends.request.sent.v1', 2],
      ['e2e3.friends.request.accepted.v1', 1],
    ]);
    // The record says what it is by the contract's name, wherever it is published.
    expect(batches[0].topicMessages[0].messages[0].headers['event-type']).toBe(
      Topics.FriendRequestSent,
    );
    const { values } = await registry.getSingleMetric('kafka_events_published_total')!.get();
    expect(values.map((v) => [v.labels.topic, v.value])).toEqual([
      [Topics.FriendRequestSent, 2],
      [Topics.FriendRequestAccepted, 1],
    ]);
  });

  it('sends to the contract names without a prefix', async () => {
    const { relay, batches } = await setup('', [row(1, Topics.UserBlocked)]);

    await relay.relayBatch();

    expect(batches[0].topicMessages.map((t) => t.topic)).toEqual([Topics.UserBlocked]);
  });
});

describe('OutboxRelay round trips', () => {
  it('reads in one query, then marks the sent rows and commits in another', async () => {
    const { relay, client, release } = await setup('', [
      row(1, Topics.UserBlocked),
      row(2, Topics.UserBlocked),
    ]);

    expect(await relay.relayBatch()).toBe(2);

    const sql = client.query.mock.calls.map(([text]) => text);
    expect(sql).toHaveLength(2);
    expect(sql[0]).toMatch(/^BEGIN;[\s\S]*SET LOCAL synchronous_commit = off;[\s\S]*SELECT o\.seq/);
    expect(sql[1]).toBe(
      "UPDATE outbox_events SET published_at = now() WHERE seq = ANY('{1,2}'::bigint[]); COMMIT",
    );
    expect(release).toHaveBeenCalledWith();
  });

  it('commits at once when there is nothing to send', async () => {
    const { relay, client, producer } = await setup('', []);

    expect(await relay.relayBatch()).toBe(0);

    expect(client.query.mock.calls.map(([text]) => text).slice(1)).toEqual(['COMMIT']);
    expect(producer.sendBatch).not.toHaveBeenCalled();
  });

  it('rolls back and keeps the connection when the send fails, marking nothing', async () => {
    const { relay, client, release, producer } = await setup('', [row(1, Topics.UserBlocked)]);
    const failure = new Error('broker gone');
    producer.sendBatch.mockImplementationOnce(() => {
      throw failure;
    });

    await expect(relay.relayBatch()).rejects.toBe(failure);

    expect(client.query.mock.calls.map(([text]) => text).slice(1)).toEqual(['ROLLBACK']);
    expect(release).toHaveBeenCalledWith(undefined);
  });

  it('drops a connection that cannot roll back', async () => {
    const { relay, client, release } = await setup('', [row(1, Topics.UserBlocked)]);
    const gone = new Error('Connection terminated');
    client.query.mockRejectedValueOnce(gone).mockRejectedValueOnce(gone);

    await expect(relay.relayBatch()).rejects.toBe(gone);

    expect(release).toHaveBeenCalledWith(gone);
  });
});
