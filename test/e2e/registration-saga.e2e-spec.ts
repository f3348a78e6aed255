/**
 * The registration saga when auth dies in the middle of it (ARCHITECTURE.md, "Cross-service
 * rules": registration never leaves a half-registered user; ADR 0026). An auth instance
 * reserves a nickname in profile and is killed with SIGKILL while its credentials insert
 * waits on a lock the test holds; the reservation is orphaned. An auth instance that sweeps
 * soon (as a restarted one does after `REGISTRATION_SWEEP_AFTER`) then abandons the
 * registration and frees the nickname: no credentials, no profile, no event, and the same
 * email and nickname register again.
 */
import { ErrorCodes } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually } from './support/clients';
import {
  type ExtraService,
  spareGrpcPort,
  sparePort,
  startExtraService,
} from './support/extra-service';
import { E2E_INSTANCE, type ServiceName, serviceEnv, stack } from './support/stack';

async function connect(service: ServiceName): Promise<Client> {
  const client = new Client({ connectionString: serviceEnv(service).DATABASE_URL });
  await client.connect();
  return client;
}

/** An auth instance of its own: its ports, its consumer group, no trace export. */
const authInstance = (n: number, env: Record<string, string> = {}) =>
  startExtraService('auth', sparePort(41 + n), {
    GRPC_PORT: String(spareGrpcPort(20 + n)),
    KAFKA_GROUP_ID: `auth-saga-e2e-${E2E_INSTANCE}-${n}`,
    OTEL_SDK_DISABLED: 'true',
    ...env,
  });

async function register(url: string, body: Record<string, string>) {
  const response = await fetch(`${url}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('registration saga: auth killed between reserving the nickname and storing credentials', () => {
  let authDb: Client;
  let profileDb: Client;
  let locker: Client | undefined;
  const instances: ExtraService[] = [];

  beforeAll(async () => {
    authDb = await connect('auth');
    profileDb = await connect('profile');
  });

  afterAll(async () => {
    await locker?.end();
    for (const instance of instances) await instance.stop();
    await authDb.end();
    await profileDb.end();
  });

  it('frees the orphaned reservation after the sweep and leaves no half-registered user', async () => {
    const suffix = randomUUID().slice(0, 8);
    const user = {
      email: `saga-${suffix}@example.test`,
      password: `pw-${randomUUID()}`,
      nickname: `saga_${suffix}`,
    };
    const doomed = await authInstance(0);
    instances.push(doomed);

    // Credentials cannot be inserted while the test holds this lock (reads still work).
    locker = await connect('auth');
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE credentials IN SHARE MODE');
    const inFlight = register(doomed.url, user).then(
      () => 'answered',
      () => 'no answer',
    );

    // Step (a) done: profile holds the nickname for the new user id; step (b) is waiting.
    const userId = await eventually(async () => {
      const { rows } = await profileDb.query<{ user_id: string }>(
        'SELECT user_id FROM nickname_reservations WHERE nickname = $1',
        [user.nickname],
      );
      return rows[0]?.user_id;
    });
    await eventually(async () => {
      const { rows } = await authDb.query(
        `SELECT 1 FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'
           AND query ILIKE '%INSERT INTO "credentials"%'`,
      );
      return rows.length === 1 ? true : undefined;
    });

    await doomed.kill9();
    expect(await inFlight).toBe('no answer');
    await locker.query('ROLLBACK');
    await locker.end();
    locker = undefined;

    // The dead instance's transaction rolls back once its insert gets the lock and finds
    // the client gone; the reservation it made stays behind, orphaned.
    await eventually(async () => {
      const { rows } = await authDb.query(
        `SELECT 1 FROM pg_stat_activity
         WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid()
           AND query ILIKE '%INSERT INTO "credentials"%'`,
      );
      return rows.length === 0 ? true : undefined;
    });
    const orphan = await profileDb.query('SELECT 1 FROM nickname_reservations WHERE user_id = $1', [
      userId,
    ]);
    expect(orphan.rowCount).toBe(1);
    const logged = await authDb.query(
      'SELECT abandoned_at FROM registrations_in_progress WHERE user_id = $1',
      [userId],
    );
    expect(logged.rows).toEqual([{ abandoned_at: null }]);
    // The nickname is still held: nobody can register it meanwhile.
    const blocked = await register(stack.auth.http, {
      ...user,
      email: `other-${suffix}@example.test`,
    });
    expect(blocked).toMatchObject({ status: 409, body: { code: ErrorCodes.AUTH_NICKNAME_TAKEN } });

    // auth comes back; its sweeper takes registrations older than 2 s for dead.
    instances.push(
      await authInstance(1, {
        REGISTRATION_SWEEP_AFTER: '2',
        REGISTRATION_SWEEP_INTERVAL: '1',
        GRPC_DEADLINE_MS: '1500',
      }),
    );
    await eventually(async () => {
      const reservations = await profileDb.query(
        'SELECT 1 FROM nickname_reservations WHERE user_id = $1',
        [userId],
      );
      const log = await authDb.query('SELECT 1 FROM registrations_in_progress WHERE user_id = $1', [
        userId,
      ]);
      return reservations.rowCount === 0 && log.rowCount === 0 ? true : undefined;
    }, 20_000);

    // Nothing of the half-done registration anywhere.
    const credentials = await authDb.query(
      'SELECT 1 FROM credentials WHERE user_id = $1 OR email = $2',
      [userId, user.email],
    );
    expect(credentials.rowCount).toBe(0);
    const events = await authDb.query(`SELECT 1 FROM outbox_events WHERE key = $1`, [userId]);
    expect(events.rowCount).toBe(0);
    const profiles = await profileDb.query(
      'SELECT 1 FROM profiles WHERE id = $1 OR lower(nickname) = lower($2)',
      [userId, user.nickname],
    );
    expect(profiles.rowCount).toBe(0);

    // The same email and nickname register again, and become a profile.
    const again = await register(stack.auth.http, user);
    expect(again.status).toBe(200);
    expect(again.body.userId).not.toBe(userId);
    const profile = await eventually(async () => {
      const { rows } = await profileDb.query<{ id: string }>(
        'SELECT id FROM profiles WHERE nickname = $1',
        [user.nickname],
      );
      return rows[0];
    });
    expect(profile.id).toBe(again.body.userId);
  });

  it('sweeps nothing of a registration that committed', async () => {
    const suffix = randomUUID().slice(0, 8);
    const user = {
      email: `kept-${suffix}@example.test`,
      password: `pw-${randomUUID()}`,
      nickname: `kept_${suffix}`,
    };
    // The sweeping instance of the test above is still running (sweep after 2 s, every 1 s).
    expect(instances.length).toBe(2);

    const registered = await register(stack.auth.http, user);
    expect(registered.status).toBe(200);
    const userId = registered.body.userId as string;
    await new Promise((resolve) => setTimeout(resolve, 4_000));

    const log = await authDb.query('SELECT 1 FROM registrations_in_progress WHERE user_id = $1', [
      userId,
    ]);
    expect(log.rowCount).toBe(0);
    const profile = await eventually(async () => {
      const { rows } = await profileDb.query<{ nickname: string }>(
        'SELECT nickname FROM profiles WHERE id = $1',
        [userId],
      );
      return rows[0];
    });
    expect(profile.nickname).toBe(user.nickname);
    const taken = await register(stack.auth.http, {
      ...user,
      email: `late-${suffix}@example.test`,
    });
    expect(taken).toMatchObject({ status: 409, body: { code: ErrorCodes.AUTH_NICKNAME_TAKEN } });
  });
});
