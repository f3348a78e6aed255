/**
 * Issue #7, proof under faults 7: PostgreSQL connections terminated
 * (`pg_terminate_backend`) under load → the service stays up, affected requests fail
 * cleanly, the next ones succeed.
 *
 * The service is the real friends (REST API, TypeORM pool, outbox relay, Kafka consumer
 * — all of them hold connections). Several clients send friend requests and read lists
 * while every connection of its database is terminated twice a second.
 */
import { Topics } from '@app/contracts';
import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from './support/bus';
import { call } from './support/http';
import { DATABASE_ADMIN_URL, databaseUrl, DIRECT_BROKERS, ports } from './support/layout';
import { resetDatabase, ServiceProcess } from './support/service-process';
import { TokenIssuer } from './support/token-issuer';
import { FaultUser, registerUsers } from './support/users';

const DB = 'friends_faults';
const WORKERS = 6;
const TARGETS = 40;
/** Targets from this index on are kept for the requests after the terminations. */
const RESERVED_FROM = TARGETS - 3;
const LOAD_MS = 8_000;
const TERMINATE_EVERY_MS = 500;
/** Connections of the test itself carry this name and are spared. */
const SPEC_APP_NAME = 'faults-spec';

interface Answer {
  kind: 'send' | 'list';
  status: number;
  body: Record<string, unknown>;
  requestId?: string;
}

describe('fault: database connections terminated under load', () => {
  const issuer = new TokenIssuer();
  const friends = new ServiceProcess({
    app: 'friends',
    name: 'friends-db-outage',
    ...ports.friends,
    brokers: DIRECT_BROKERS,
    groupId: 'friends-faults-db',
    jwksUrl: issuer.jwksUrl,
    database: DB,
  });
  let db: Client;
  let admin: Client;
  let senders: FaultUser[];
  let targets: FaultUser[];

  beforeAll(async () => {
    await Promise.all([resetDatabase(DB), issuer.start()]);
    await friends.start();
    db = new Client({ connectionString: databaseUrl(DB), application_name: SPEC_APP_NAME });
    admin = new Client({ connectionString: DATABASE_ADMIN_URL, application_name: SPEC_APP_NAME });
    await Promise.all([db.connect(), admin.connect()]);
    const users = await registerUsers(issuer, WORKERS + TARGETS, [{ db, table: 'users' }]);
    senders = users.slice(0, WORKERS);
    targets = users.slice(WORKERS);
  });

  afterAll(async () => {
    await Promise.all([db?.end(), admin?.end()]);
    await friends.stop();
    await issuer.close();
  });

  const send = async (from: FaultUser, to: FaultUser): Promise<Answer> => {
    const r = await call(friends.url, from.token, 'POST', '/v1/friends/requests', {
      userId: to.id,
    });
    return { kind: 'send', ...r, requestId: r.status === 201 ? String(r.body.id) : undefined };
  };
  const list = async (user: FaultUser): Promise<Answer> => {
    const r = await call(friends.url, user.token, 'GET', '/v1/friends/requests?direction=outgoing');
    return { kind: 'list', ...r };
  };
  const ok = (a: Answer) => (a.kind === 'send' ? a.status === 201 : a.status === 200);

  it('keeps serving: failed requests answer 503 UNAVAILABLE (retry), the next ones succeed', async () => {
    // Counted: requests sent (= answers received: none hangs or loses its connection),
    // answers that succeeded or failed cleanly (together: all), connections terminated,
    // friend requests acknowledged (= their rows = their outbox events) and the
    // requests that succeed once the terminations stop (all).
    const answers: Answer[] = [];
    let loading = true;
    // Worker w asks targets (i + w) mod TARGETS for i below RESERVED_FROM, then only
    // reads; the last few targets of each worker are kept for after the terminations.
    const worker = async (w: number) => {
      for (let i = 0; loading; i += 1) {
        if (i < RESERVED_FROM) answers.push(await send(senders[w], targets[(i + w) % TARGETS]));
        answers.push(await list(senders[w]));
      }
    };
    const load = Promise.all(senders.map((_, w) => worker(w)));

    let terminated = 0;
    const started = Date.now();
    await sleep(TERMINATE_EVERY_MS);
    while (Date.now() - started < LOAD_MS - 1_000) {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n
           FROM pg_stat_activity
          WHERE datname = $1 AND application_name <> $2 AND pid <> pg_backend_pid()`,
        [DB, SPEC_APP_NAME],
      );
      terminated += rows[0].n;
      await sleep(TERMINATE_EVERY_MS);
    }
    loading = false;
    await load;

    expect(terminated).toBeGreaterThan(5);
    expect(answers.length).toBeGreaterThan(50);
    // Every request got an HTTP answer: success, or a clean 503 that tells the client the
    // failure is temporary (retry), with the standard body and no internals.
    expect(answers.filter((a) => a.status === 0)).toEqual([]);
    const failed = answers.filter((a) => !ok(a));
    for (const a of failed) {
      expect(a.body).toEqual({
        statusCode: 503,
        code: 'COMMON.UNAVAILABLE',
        message: expect.stringContaining('retry'),
      });
    }
    expect(friends.running).toBe(true);

    // No more terminations: the very next requests all succeed.
    const after: Answer[] = [];
    for (let k = 0; k < TARGETS - RESERVED_FROM; k += 1) {
      after.push(
        ...(await Promise.all(
          senders.map((s, w) => send(s, targets[(RESERVED_FROM + k + w) % TARGETS])),
        )),
        ...(await Promise.all(senders.map((s) => list(s)))),
      );
    }
    expect(after.filter((a) => !ok(a))).toEqual([]);
    expect((await fetch(`${friends.url}/health/ready`)).status).toBe(200);

    // Atomicity held through the failures: each acknowledged request has its row and its
    // event, and no event exists without its row.
    const acknowledged = [...answers, ...after].flatMap((a) => (a.requestId ? [a.requestId] : []));
    const { rows: requests } = await db.query<{ id: string }>('SELECT id FROM friend_requests');
    const { rows: events } = await db.query<{ request_id: string }>(
      `SELECT envelope->'payload'->>'requestId' AS request_id FROM outbox_events WHERE topic = $1`,
      [Topics.FriendRequestSent],
    );
    const rowIds = new Set(requests.map((r) => r.id));
    const eventIds = events.map((e) => e.request_id);
    expect(acknowledged.filter((id) => !rowIds.has(id))).toEqual([]);
    expect(eventIds.filter((id) => !rowIds.has(id))).toEqual([]);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(eventIds.length).toBe(requests.length);
    // The relay reconnected too: everything is published.
    await eventually(
      async () => ((await friends.metric('outbox_backlog_events')) === 0 ? true : undefined),
      30_000,
      'the outbox drained',
    );
    process.stdout.write(
      `[faults] db outage: ${answers.length} requests under ${terminated} terminated connections, ` +
        `${failed.length} failed cleanly (503 COMMON.UNAVAILABLE), ${acknowledged.length} friend requests acknowledged\n`,
    );
  });
});
