/**
 * Issue #7, proof under faults 5: the Kafka broker stopped for 20 s in the middle of a
 * stream of events and started again → every acknowledged state change's event is
 * eventually consumed exactly once, in per-aggregate order.
 *
 * Producer: the real friends service, driven through its REST API by a few pairs of
 * users cycling request → accept → unfriend. Consumer: the real profile service, whose
 * friends read model applies `friends.request.accepted.v1` and
 * `friends.friendship.removed.v1`. The broker is the suite's own, stopped with SIGTERM.
 *
 * Order: friends keys every event of a pair by the pair id, so Kafka keeps one pair's
 * events in order per topic; that is checked on the topic and in the order profile
 * applied them. Across topics Kafka orders nothing: each event carries the pair's
 * version, profile skips one older than what it applied, and the test checks that
 * profile's friendships end equal to friends' own.
 */
import { Topics } from '@app/contracts';
import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultBroker } from './support/broker';
import { eventually, readTopics } from './support/bus';
import { call } from './support/http';
import { databaseUrl, DIRECT_BROKERS, ports } from './support/layout';
import { resetDatabase, ServiceProcess } from './support/service-process';
import { TokenIssuer } from './support/token-issuer';
import { FaultUser, registerUsers } from './support/users';

const FRIENDS_DB = 'friends_faults';
const PROFILE_DB = 'profile_faults';
const PAIRS = 3;
const OUTAGE_MS = 20_000;
/** The topics profile consumes from friends. */
const CONSUMED = [Topics.FriendRequestAccepted, Topics.FriendshipRemoved];

type Op = 'request' | 'accept' | 'unfriend';
interface Outcome {
  op: Op;
  status: number;
  /** While the broker was down. */
  duringOutage: boolean;
}

describe('fault: the Kafka broker stopped for 20 s under a stream of events', () => {
  const issuer = new TokenIssuer();
  const friends = new ServiceProcess({
    app: 'friends',
    name: 'friends-outage',
    ...ports.friends,
    brokers: DIRECT_BROKERS,
    groupId: 'friends-faults-outage',
    jwksUrl: issuer.jwksUrl,
    database: FRIENDS_DB,
  });
  const profile = new ServiceProcess({
    app: 'profile',
    name: 'profile-outage',
    ...ports.profile,
    brokers: DIRECT_BROKERS,
    groupId: 'profile-faults-outage',
    jwksUrl: issuer.jwksUrl,
    database: PROFILE_DB,
  });
  let friendsDb: Client;
  let profileDb: Client;
  let users: FaultUser[];

  beforeAll(async () => {
    await Promise.all([resetDatabase(FRIENDS_DB), resetDatabase(PROFILE_DB), issuer.start()]);
    await Promise.all([friends.start(), profile.start()]);
    friendsDb = new Client({ connectionString: databaseUrl(FRIENDS_DB) });
    profileDb = new Client({ connectionString: databaseUrl(PROFILE_DB) });
    await Promise.all([friendsDb.connect(), profileDb.connect()]);
    users = await registerUsers(issuer, PAIRS * 2, [
      { db: friendsDb, table: 'users' },
      { db: profileDb, table: 'profiles' },
    ]);
  });

  afterAll(async () => {
    await Promise.all([friendsDb?.end(), profileDb?.end()]);
    await Promise.all([friends.stop(), profile.stop()]);
    await issuer.close();
  });

  it('delivers every acknowledged change once, in order per pair, after the broker returns', async () => {
    // Counted: state changes acknowledged by friends (2xx), its outbox rows (one per
    // change), distinct events on the topics (all of them), records on the consumed
    // topics (= profile's applied + skipped-as-duplicate), events profile applied (one
    // processed_events row each, none missing).
    let brokerDown = false;
    let streaming = true;
    const outcomes: Outcome[] = [];
    const act = async (
      user: FaultUser,
      op: Op,
      method: 'POST' | 'DELETE',
      path: string,
      body?: unknown,
    ) => {
      const duringOutage = brokerDown;
      const response = await call(friends.url, user.token, method, path, body);
      outcomes.push({ op, status: response.status, duringOutage });
      return response;
    };
    const cycle = async (a: FaultUser, b: FaultUser) => {
      while (streaming) {
        const sent = await act(a, 'request', 'POST', '/v1/friends/requests', { userId: b.id });
        if (sent.status !== 201) return;
        await sleep(100);
        const accepted = await act(
          b,
          'accept',
          'POST',
          `/v1/friends/requests/${String(sent.body.id)}/accept`,
        );
        if (accepted.status !== 200) return;
        await sleep(100);
        // The stream may stop between the two: some pairs end as friends, some not.
        if (!streaming) return;
        const removed = await act(a, 'unfriend', 'DELETE', `/v1/friends/${b.id}`);
        if (removed.status !== 204) return;
        await sleep(100);
      }
    };
    const stream = Promise.all(
      Array.from({ length: PAIRS }, (_, i) => cycle(users[2 * i], users[2 * i + 1])),
    );

    await sleep(4_000);
    await FaultBroker.stop('SIGTERM');
    brokerDown = true;
    await sleep(OUTAGE_MS);
    brokerDown = false;
    await FaultBroker.start();
    await sleep(4_000);
    streaming = false;
    await stream;

    // Every change was acknowledged, Kafka or not; the services stayed up.
    const failed = outcomes.filter((o) => o.status < 200 || o.status >= 300);
    expect(failed).toEqual([]);
    expect(outcomes.filter((o) => o.duringOutage).length).toBeGreaterThan(10);
    expect(friends.running && profile.running).toBe(true);
    const acked = (op: Op) => outcomes.filter((o) => o.op === op).length;

    // One outbox row per acknowledged change, all published once the broker was back.
    await eventually(
      async () => ((await friends.metric('outbox_backlog_events')) === 0 ? true : undefined),
      60_000,
      'the outbox drained',
    );
    const { rows: outbox } = await friendsDb.query<{
      seq: string;
      event_id: string;
      topic: string;
      key: string;
    }>('SELECT seq, event_id, topic, key FROM outbox_events ORDER BY seq');
    const outboxOf = (topic: string) => outbox.filter((row) => row.topic === topic);
    expect(outboxOf(Topics.FriendRequestSent)).toHaveLength(acked('request'));
    expect(outboxOf(Topics.FriendRequestAccepted)).toHaveLength(acked('accept'));
    expect(outboxOf(Topics.FriendshipRemoved)).toHaveLength(acked('unfriend'));

    // profile has applied every one of them, each once.
    const consumedIds = outbox
      .filter((row) => CONSUMED.includes(row.topic as never))
      .map((r) => r.event_id);
    const applied = await eventually(
      async () => {
        const { rows } = await profileDb.query<{ event_id: string; processed_at: Date }>(
          `SELECT event_id, processed_at FROM processed_events
            WHERE event_id = ANY($1::uuid[]) ORDER BY processed_at, event_id`,
          [consumedIds],
        );
        return rows.length === consumedIds.length ? rows : undefined;
      },
      60_000,
      `profile applying all ${consumedIds.length} events`,
    );
    expect(new Set(applied.map((r) => r.event_id)).size).toBe(consumedIds.length);

    // On the topics: every outbox event, none invented; every record accounted for by
    // profile as applied or skipped as a duplicate (each event applied exactly once).
    const records = await readTopics([Topics.FriendRequestSent, ...CONSUMED]);
    const onTopic = new Set(records.map((r) => r.envelope.id));
    expect(outbox.filter((row) => !onTopic.has(row.event_id))).toEqual([]);
    const consumedRecords = records.filter((r) => CONSUMED.includes(r.topic as never));
    const processed = await Promise.all(
      CONSUMED.map((topic) =>
        profile.metric('kafka_events_consumed_total', { topic, outcome: 'processed' }),
      ),
    );
    const duplicates = await Promise.all(
      CONSUMED.map((topic) =>
        profile.metric('kafka_events_consumed_total', { topic, outcome: 'duplicate' }),
      ),
    );
    expect(processed.reduce((a, b) => a + b)).toBe(
      new Set(consumedRecords.map((r) => r.envelope.id)).size,
    );
    // At least once: a record whose offset commit the outage swallowed is delivered
    // again after the rebalance, and then counts as one more duplicate.
    expect(
      processed.reduce((a, b) => a + b) + duplicates.reduce((a, b) => a + b),
    ).toBeGreaterThanOrEqual(consumedRecords.length);

    // The read model ends where friends ends. Kafka orders nothing across topics, so a
    // pair's `removed` may have been applied before its `accepted`; the pair version in
    // each payload lets profile skip the older one instead of resurrecting a friendship.
    const friendshipsIn = async (db: Client) =>
      (
        await db.query<{ pair: string }>(
          `SELECT user_id || '>' || friend_id AS pair FROM friendships ORDER BY 1`,
        )
      ).rows.map((row) => row.pair);
    const friendsEnd = await friendshipsIn(friendsDb);
    expect(await friendshipsIn(profileDb)).toEqual(friendsEnd);

    // Per pair and topic, the order of the outbox is the order on the topic and the order
    // in which profile applied the events.
    const appliedAt = new Map(applied.map((r, i) => [r.event_id, i]));
    for (const topic of CONSUMED) {
      for (const key of new Set(outboxOf(topic).map((row) => row.key))) {
        const expected = outboxOf(topic)
          .filter((row) => row.key === key)
          .map((row) => row.event_id);
        const topicOrder = [
          ...new Set(
            records.filter((r) => r.topic === topic && r.key === key).map((r) => r.envelope.id),
          ),
        ];
        expect(topicOrder).toEqual(expected);
        const appliedOrder = [...expected].sort((x, y) => appliedAt.get(x)! - appliedAt.get(y)!);
        expect(appliedOrder).toEqual(expected);
      }
    }
    process.stdout.write(
      `[faults] broker outage: ${outcomes.length} changes acknowledged ` +
        `(${outcomes.filter((o) => o.duringOutage).length} while the broker was down), ` +
        `${outbox.length} outbox rows, ${onTopic.size} distinct events on the topics; ` +
        `profile applied ${consumedIds.length} of its topics' events once each ` +
        `(${duplicates.reduce((a, b) => a + b)} duplicate records skipped) and ends with ` +
        `the same ${friendsEnd.length / 2} friendships as friends\n`,
    );
  });
});
