/**
 * The event tables stay bounded (ADR 0025): every service of the running stack prunes its
 * published outbox rows and its processed event ids once they are older than the
 * retention, on its own schedule, and keeps everything younger — and every unpublished
 * outbox row, however old.
 *
 * One registration makes a row in auth's outbox and, once consumed, a processed event id
 * in profile, friends and messenger. The spec ages those rows in the databases (the e2e
 * stack keeps rows an hour, `E2E_EVENT_RETENTION`) and watches the services delete them.
 */
import { Topics } from '@app/contracts';
import { Client } from 'pg';
import { samples, type Sample } from './support/monitoring';
import { authClient, AuthGrpcClient, eventually, registerUser } from './support/clients';
import { E2E_EVENT_RETENTION, serviceEnv, stack, type ServiceName } from './support/stack';

const SERVICES: readonly ServiceName[] = ['auth', 'profile', 'friends', 'messenger'];
const CONSUMERS: readonly ServiceName[] = ['profile', 'friends', 'messenger'];
/** The advisory lock a relay holds while it publishes (OutboxRelay's `RELAY_LOCK_KEY`). */
const RELAY_LOCK_KEY = String(0x6f7574626f78); // "outbox"
/** Older than the stack's retention by an hour. */
const AGE = `${2 * E2E_EVENT_RETENTION.retentionSeconds} seconds`;

describe('retention of the event tables', () => {
  let auth: AuthGrpcClient;
  const db = Object.fromEntries(
    SERVICES.map((service) => [
      service,
      new Client({ connectionString: serviceEnv(service).DATABASE_URL }),
    ]),
  ) as Record<ServiceName, Client>;
  /** A second connection to auth's database that pauses auth's relay while it holds the lock. */
  const relayBlocker = new Client({ connectionString: serviceEnv('auth').DATABASE_URL });

  beforeAll(async () => {
    auth = authClient();
    await Promise.all([...Object.values(db), relayBlocker].map((client) => client.connect()));
  });

  afterAll(async () => {
    auth?.close();
    await relayBlocker.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    await Promise.all([...Object.values(db), relayBlocker].map((client) => client.end()));
  });

  /** The id of the `auth.user.registered.v1` event of `userId` in auth's outbox. */
  const registrationEvent = (userId: string) =>
    eventually(async () => {
      const { rows } = await db.auth.query<{ event_id: string }>(
        `SELECT event_id FROM outbox_events
          WHERE topic = $1 AND envelope -> 'payload' ->> 'userId' = $2`,
        [Topics.UserRegistered, userId],
      );
      return rows[0]?.event_id;
    });

  const outboxRow = async (eventId: string) =>
    (
      await db.auth.query<{ published_at: Date | null }>(
        'SELECT published_at FROM outbox_events WHERE event_id = $1',
        [eventId],
      )
    ).rows[0];

  const processedIn = async (service: ServiceName, eventId: string) =>
    (await db[service].query('SELECT 1 FROM processed_events WHERE event_id = $1', [eventId]))
      .rowCount === 1;

  /** Waits until auth published the event and every consumer recorded it as processed. */
  const publishedAndProcessed = (eventId: string) =>
    eventually(async () => {
      if (!(await outboxRow(eventId))?.published_at) return undefined;
      for (const service of CONSUMERS) if (!(await processedIn(service, eventId))) return undefined;
      return true;
    }, 30_000);

  const metrics = async (service: ServiceName): Promise<Sample[]> => {
    const response = await fetch(`${stack[service].http}/metrics`);
    expect(response.status).toBe(200);
    return samples(await response.text());
  };

  const sample = (all: Sample[], name: string, labels: Record<string, string> = {}) =>
    all.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

  /** Resolves once auth has completed a whole pruning round that started after `since`. */
  const authPrunedSince = (since: number) =>
    eventually(async () => {
      const last = sample(await metrics('auth'), 'event_table_last_prune_timestamp_seconds');
      // A round ends at least one interval after the previous one ended; two intervals
      // after `since`, the last round to end began after it.
      const after = since + 2 * E2E_EVENT_RETENTION.intervalMs;
      return last && last.value * 1000 > after ? true : undefined;
    }, 15_000);

  it('builds the retention indexes in every service database', async () => {
    for (const service of SERVICES) {
      const { rows } = await db[service].query<{ name: string; valid: boolean }>(
        `SELECT c.relname AS name, i.indisvalid AS valid
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relname IN ('outbox_events_published_at_idx', 'processed_events_processed_at_idx')
          ORDER BY c.relname`,
      );
      expect({ service, rows }).toEqual({
        service,
        rows: [
          { name: 'outbox_events_published_at_idx', valid: true },
          { name: 'processed_events_processed_at_idx', valid: true },
        ],
      });
    }
  });

  it('prunes published and processed rows past the retention and keeps the younger ones', async () => {
    const old = await registerUser(auth, 'retold');
    const young = await registerUser(auth, 'retyoung');
    const [oldEvent, youngEvent] = await Promise.all([
      registrationEvent(old.userId),
      registrationEvent(young.userId),
    ]);
    await Promise.all([publishedAndProcessed(oldEvent), publishedAndProcessed(youngEvent)]);

    await db.auth.query(
      `UPDATE outbox_events
          SET created_at = created_at - $2::interval, published_at = published_at - $2::interval
        WHERE event_id = $1`,
      [oldEvent, AGE],
    );
    for (const service of CONSUMERS) {
      await db[service].query(
        'UPDATE processed_events SET processed_at = processed_at - $2::interval WHERE event_id = $1',
        [oldEvent, AGE],
      );
    }

    await eventually(async () => {
      if (await outboxRow(oldEvent)) return undefined;
      for (const service of CONSUMERS) if (await processedIn(service, oldEvent)) return undefined;
      return true;
    });
    // The rounds that removed the old rows saw the young ones and left them.
    expect((await outboxRow(youngEvent))?.published_at).toBeInstanceOf(Date);
    for (const service of CONSUMERS) {
      expect({ service, kept: await processedIn(service, youngEvent) }).toEqual({
        service,
        kept: true,
      });
    }
  });

  it('never prunes an unpublished outbox row, however old', async () => {
    // Holding the relay's lock pauses auth's relay: the registration's event stays unsent.
    await relayBlocker.query('SELECT pg_advisory_lock($1::bigint)', [RELAY_LOCK_KEY]);
    let eventId: string;
    try {
      const user = await registerUser(auth, 'retpending');
      eventId = await registrationEvent(user.userId);
      await db.auth.query(
        `UPDATE outbox_events SET created_at = created_at - $2::interval WHERE event_id = $1`,
        [eventId, AGE],
      );
      const agedAt = Date.now();
      await authPrunedSince(agedAt);
      expect(await outboxRow(eventId)).toEqual({ published_at: null });
    } finally {
      await relayBlocker.query('SELECT pg_advisory_unlock($1::bigint)', [RELAY_LOCK_KEY]);
    }
    // Released, the relay sends it; consumers apply it as usual.
    await publishedAndProcessed(eventId);
    const published = await outboxRow(eventId);
    expect(published?.published_at).toBeInstanceOf(Date);
    await authPrunedSince(Date.now());
    expect(await outboxRow(eventId)).toEqual(published);
  });

  it('exposes the pruning and the size of both tables on /metrics', async () => {
    for (const service of SERVICES) {
      const all = await metrics(service);
      const value = (name: string, labels: Record<string, string> = {}) => {
        const found = sample(all, name, labels);
        if (!found) throw new Error(`${service} does not export ${name} ${JSON.stringify(labels)}`);
        return found.value;
      };
      for (const table of ['outbox_events', 'processed_events']) {
        expect(value('event_table_size_bytes', { table })).toBeGreaterThan(0);
        expect(value('event_table_estimated_rows', { table })).toBeGreaterThanOrEqual(0);
        // The consumers' processed ids and auth's outbox rows that the spec above aged.
        const prunedBySpec = service === 'auth' ? 'outbox_events' : 'processed_events';
        expect(value('event_table_rows_pruned_total', { table })).toBeGreaterThanOrEqual(
          table === prunedBySpec ? 1 : 0,
        );
      }
      expect(value('event_table_prune_duration_seconds')).toBeGreaterThanOrEqual(0);
      expect(value('event_table_prune_failures_total')).toBe(0);
      expect(value('event_table_last_prune_timestamp_seconds')).toBeGreaterThan(
        Date.now() / 1000 - 10,
      );
    }
  });
});
