/**
 * Issue #7, proof under faults 4 (and the rebalance part of 3): kill -9 of a consumer
 * after its database commit and before its offset commit → the record is delivered again,
 * across a consumer-group rebalance, with no second effect.
 *
 * The consumer is the real friends service applying `auth.user.registered.v1` (its
 * effect: a row in its user directory, plus the `processed_events` row of libs/kafka in
 * the same transaction). It reaches Kafka through the suite's fault proxy, which drops
 * its OffsetCommit requests: the handler's transaction commits, the offset never does.
 */
import { Topics } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually, kafka, produce, registrationEvent } from './support/bus';
import { ApiKey, FaultProxy } from './support/fault-proxy';
import { databaseUrl, DIRECT_BROKERS, faultsTopic, ports, PROXIED_BROKERS } from './support/layout';
import { resetDatabase, ServiceProcess } from './support/service-process';
import { TokenIssuer } from './support/token-issuer';
import { registerUsers } from './support/users';

const DB = 'friends_faults';
const GROUP = 'friends-faults-consumer';
const TOPIC = Topics.UserRegistered;
/** {@link TOPIC} as the suite's broker names it. */
const BROKER_TOPIC = faultsTopic(TOPIC);

describe('fault: consumer killed between its database commit and its offset commit', () => {
  const issuer = new TokenIssuer();
  const proxy = new FaultProxy();
  const common = { app: 'friends', groupId: GROUP, jwksUrl: issuer.jwksUrl, database: DB } as const;
  const first = new ServiceProcess({
    ...common,
    name: 'friends-consumer-1',
    ...ports.friends,
    brokers: PROXIED_BROKERS,
  });
  const second = new ServiceProcess({
    ...common,
    name: 'friends-consumer-2',
    ...ports.friendsSecond,
    brokers: DIRECT_BROKERS,
  });
  const admin = kafka.admin();
  let db: Client;

  beforeAll(async () => {
    await resetDatabase(DB);
    await Promise.all([issuer.start(), proxy.start(), admin.connect()]);
    await first.start();
    db = new Client({ connectionString: databaseUrl(DB) });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await Promise.all([first.stop(), second.stop()]);
    await Promise.all([proxy.close(), issuer.close(), admin.disconnect()]);
  });

  /** The group's committed offset of each partition of the topic (-1: none yet). */
  const committed = async (): Promise<Map<number, bigint>> => {
    const [{ partitions }] = await admin.fetchOffsets({ groupId: GROUP, topics: [BROKER_TOPIC] });
    return new Map(partitions.map((p) => [p.partition, BigInt(p.offset)]));
  };
  /** Resolves once the group has committed everything on the topic. */
  const caughtUp = () =>
    eventually(
      async () => {
        const offsets = await committed();
        const ends = await admin.fetchTopicOffsets(BROKER_TOPIC);
        return ends.every(
          (end) => end.high === end.low || offsets.get(end.partition) === BigInt(end.high),
        )
          ? true
          : undefined;
      },
      60_000,
      'the consumer group committing every offset',
    );
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    Number((await db.query<{ n: string }>(sql, params)).rows[0].n);
  const duplicatesSkipped = async (service: ServiceProcess) =>
    service.metric('kafka_events_consumed_total', { topic: TOPIC, outcome: 'duplicate' });
  const applied = async (service: ServiceProcess) =>
    service.metric('kafka_events_consumed_total', { topic: TOPIC, outcome: 'processed' });

  it('redelivers the record to the rebalanced group and applies it once', async () => {
    // Counted: deliveries of one event (1 before the crash, 1 redelivery, 2 more copies
    // = 4), handler applications (1), duplicates skipped after the restart (3), directory
    // rows and processed_events rows of that event (1 each).
    await registerUsers(issuer, 1, [{ db, table: 'users' }]); // the group is up and consuming
    await caughtUp();

    proxy.drop(ApiKey.OffsetCommit);
    const userId = randomUUID();
    const event = registrationEvent(userId);
    await produce(TOPIC, [{ key: userId, envelope: event }]);
    await eventually(
      async () =>
        (await count('SELECT count(*) AS n FROM users WHERE id = $1', [userId])) === 1 &&
        proxy.droppedCount(ApiKey.OffsetCommit) >= 1
          ? true
          : undefined,
      20_000,
      'the effect committed and the offset commit attempted',
    );
    const offsetsAtCrash = await committed();
    await first.kill();

    // The effect is in the database; the offset is not in Kafka.
    expect(
      await count('SELECT count(*) AS n FROM processed_events WHERE event_id = $1', [event.id]),
    ).toBe(1);
    const ends = await admin.fetchTopicOffsets(BROKER_TOPIC);
    expect(ends.some((end) => offsetsAtCrash.get(end.partition)! < BigInt(end.high))).toBe(true);

    // An at-least-once producer re-sends too: two more copies of the same envelope.
    await produce(TOPIC, [
      { key: userId, envelope: event },
      { key: userId, envelope: event },
    ]);

    // A restart of the killed instance plus a second instance of the service: once the
    // dead member's session expires the group rebalances over the two new members, and
    // whichever gets the partition receives the uncommitted record again.
    proxy.passAll();
    await Promise.all([first.start(), second.start()]);
    await caughtUp();

    const skipped = (await duplicatesSkipped(first)) + (await duplicatesSkipped(second));
    expect(skipped).toBe(3);
    expect((await applied(first)) + (await applied(second))).toBe(0);
    expect(await count('SELECT count(*) AS n FROM users WHERE id = $1', [userId])).toBe(1);
    expect(
      await count('SELECT count(*) AS n FROM processed_events WHERE event_id = $1', [event.id]),
    ).toBe(1);
    const group = await admin.describeGroups([GROUP]);
    expect(group.groups[0].members).toHaveLength(2);
    process.stdout.write(
      '[faults] consumer crash: 4 deliveries of one event (1 before kill -9, 1 redelivery after ' +
        'the rebalance, 2 copies), 1 application, 3 duplicates skipped, 1 directory row\n',
    );
  });
});
