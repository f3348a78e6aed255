/**
 * Issue #7, proof under faults 1: kill -9 of a producer between its database commit and
 * the relay's publish → after the restart the event is published once.
 *
 * The producer is the real friends service (REST API, transactional outbox, relay). To
 * hold it exactly between commit and publish without a test hook in its code, it reaches
 * Kafka through the suite's fault proxy, which drops its Produce requests: the relay
 * tries to publish, the broker never sees the records. Then kill -9, restore the
 * network, restart.
 */
import { Topics } from '@app/contracts';
import { Client } from 'pg';
import { eventually, readTopics } from './support/bus';
import { ApiKey, FaultProxy } from './support/fault-proxy';
import { call } from './support/http';
import { databaseUrl, ports, PROXIED_BROKERS } from './support/layout';
import { resetDatabase, ServiceProcess } from './support/service-process';
import { TokenIssuer } from './support/token-issuer';
import { FaultUser, registerUsers } from './support/users';

const DB = 'friends_faults';

describe('fault: producer killed between commit and publish', () => {
  const issuer = new TokenIssuer();
  const proxy = new FaultProxy();
  const friends = new ServiceProcess({
    app: 'friends',
    name: 'friends-producer',
    ...ports.friends,
    brokers: PROXIED_BROKERS,
    groupId: 'friends-faults-producer',
    jwksUrl: issuer.jwksUrl,
    database: DB,
  });
  let db: Client;
  let alice: FaultUser;
  let bob: FaultUser;

  beforeAll(async () => {
    await resetDatabase(DB);
    await Promise.all([issuer.start(), proxy.start()]);
    await friends.start();
    db = new Client({ connectionString: databaseUrl(DB) });
    await db.connect();
    [alice, bob] = await registerUsers(issuer, 2, [{ db, table: 'users' }]);
  });

  afterAll(async () => {
    await db?.end();
    await friends.stop();
    await Promise.all([proxy.close(), issuer.close()]);
  });

  const outboxRow = async (requestId: string) => {
    const { rows } = await db.query<{ event_id: string; published_at: Date | null }>(
      `SELECT event_id, published_at FROM outbox_events
        WHERE topic = $1 AND envelope->'payload'->>'requestId' = $2`,
      [Topics.FriendRequestSent, requestId],
    );
    return rows;
  };

  it('publishes the committed event exactly once after kill -9 and restart', async () => {
    // Counted: state changes acknowledged (1), outbox rows (1), publish attempts lost on
    // the way (≥ 1), records of the event on the topic after the restart (1).
    proxy.drop(ApiKey.Produce);

    const sent = await call(friends.url, alice.token, 'POST', '/v1/friends/requests', {
      userId: bob.id,
    });
    expect(sent.status).toBe(201);
    const requestId = String(sent.body.id);

    // The relay has tried to publish (its Produce request was lost) and the row is
    // committed but unpublished: the process is between commit and publish.
    await eventually(
      async () => (proxy.droppedCount(ApiKey.Produce) >= 1 ? true : undefined),
      15_000,
      'the relay attempting to publish',
    );
    const before = await outboxRow(requestId);
    expect(before).toHaveLength(1);
    expect(before[0].published_at).toBeNull();

    await friends.kill();
    expect(friends.running).toBe(false);
    // The crash lost nothing and published nothing.
    expect(await outboxRow(requestId)).toEqual(before);
    expect(
      (await readTopics([Topics.FriendRequestSent])).filter(
        (r) => r.envelope.id === before[0].event_id,
      ),
    ).toHaveLength(0);

    proxy.passAll();
    await friends.start();

    const after = await eventually(
      async () => {
        const rows = await outboxRow(requestId);
        return rows[0]?.published_at ? rows : undefined;
      },
      30_000,
      'the outbox row published after the restart',
    );
    expect(after).toHaveLength(1);

    const records = (await readTopics([Topics.FriendRequestSent])).filter(
      (r) => r.envelope.id === before[0].event_id,
    );
    expect(records).toHaveLength(1);
    expect(records[0].envelope.payload).toEqual({
      requestId,
      fromUserId: alice.id,
      toUserId: bob.id,
      pairVersion: 1,
    });
    // The state change is there once, too.
    const { rows } = await db.query('SELECT status FROM friend_requests WHERE id = $1', [
      requestId,
    ]);
    expect(rows).toEqual([{ status: 'pending' }]);
    process.stdout.write(
      `[faults] producer crash: 1 change acknowledged, 1 outbox row, ` +
        `${proxy.droppedCount(ApiKey.Produce)} publish attempt(s) lost, 1 record on the topic\n`,
    );
  });
});
