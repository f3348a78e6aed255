// Makes PostgreSQL reachable and creates the databases the services need.
//
// The server itself is expected to be installed on the machine (or run by Docker Compose);
// we only start the distribution's own cluster when it is installed but stopped. The admin
// connection comes from DATABASE_ADMIN_URL, else from PGHOST/PGPORT/PGUSER (PGPASSWORD is
// read by `pg` itself), defaulting to postgres://postgres@127.0.0.1:5432/postgres.

import fs from 'node:fs';
import path from 'node:path';
import { Client, type ClientConfig } from 'pg';
import {
  createLogger,
  errorCode,
  errorMessage,
  findExecutable,
  forgetStarted,
  isLoopbackHost,
  readState,
  recordStarted,
  runCommand,
  waitFor,
  withLock,
} from './lib';

const log = createLogger('postgres');

// SQLSTATEs we act on (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const DUPLICATE_DATABASE = '42P04';
// Two concurrent CREATE DATABASE of one name can also collide on pg_database's unique index.
const UNIQUE_VIOLATION = '23505';
const CANNOT_CONNECT_NOW = '57P03'; // the server is starting up or shutting down
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  CANNOT_CONNECT_NOW,
]);

interface AdminTarget {
  client: ClientConfig & { connectionString?: string; host?: string; port?: number; user?: string };
  host: string;
  port: number;
}

function adminConfig(): AdminTarget {
  const url = process.env.DATABASE_ADMIN_URL;
  if (url) {
    // An empty hostname means a Unix socket (`postgres:///postgres?host=/run/postgresql`).
    const parsed = new URL(url);
    const host =
      decodeURIComponent(parsed.hostname) ||
      parsed.searchParams.get('host') ||
      '/var/run/postgresql';
    return { client: { connectionString: url }, host, port: Number(parsed.port || 5432) };
  }
  const host = process.env.PGHOST || '127.0.0.1';
  const port = Number(process.env.PGPORT || 5432);
  return {
    client: { host, port, user: process.env.PGUSER || 'postgres', database: 'postgres' },
    host,
    port,
  };
}

function describeTarget({ host, port }: { host: string; port: number }): string {
  return host.startsWith('/') ? `${host} (socket)` : `${host}:${port}`;
}

/** Connects as the admin user; the caller must `end()` the client. */
export async function connectAdmin(timeoutMs = 3000): Promise<Client> {
  const client = new Client({ ...adminConfig().client, connectionTimeoutMillis: timeoutMs });
  // A server that goes away mid-session would otherwise crash the script with an
  // unhandled 'error' event instead of failing the query that is running.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
}

function isUnreachable(err: unknown): boolean {
  return NETWORK_ERRORS.has(errorCode(err) ?? '') || /timeout|terminated/i.test(errorMessage(err));
}

/** Resolves true when the server accepts the admin login; rethrows errors that starting it would not fix. */
async function postgresAnswers(): Promise<boolean> {
  let client: Client | undefined;
  try {
    client = await connectAdmin();
    await client.query('SELECT 1');
    return true;
  } catch (err) {
    if (isUnreachable(err)) return false;
    throw new Error(
      `PostgreSQL at ${describeTarget(adminConfig())} refused the admin connection: ${errorMessage(err)}`,
      { cause: err },
    );
  } finally {
    await client?.end().catch(() => {});
  }
}

/** The port a Debian/Ubuntu cluster is configured for (PostgreSQL's default when unset). */
function clusterPort(version: string, cluster: string): number {
  try {
    const conf = fs.readFileSync(
      path.join('/etc/postgresql', version, cluster, 'postgresql.conf'),
      'utf8',
    );
    const match = /^\s*port\s*=\s*(\d+)/m.exec(conf);
    return match ? Number(match[1]) : 5432;
  } catch {
    return 5432;
  }
}

/**
 * The newest Debian/Ubuntu cluster named `main` (`/etc/postgresql/<version>/main`) that
 * listens on `port`, if any. Matching the port keeps a mistyped DATABASE_ADMIN_URL from
 * "starting" a cluster that serves some other address.
 */
function findSystemCluster(port: number): { version: string; cluster: string } | null {
  if (!findExecutable('pg_ctlcluster')) return null;
  let versions: string[];
  try {
    versions = fs.readdirSync('/etc/postgresql');
  } catch {
    return null;
  }
  const version = versions
    .filter(
      (v) =>
        fs.existsSync(path.join('/etc/postgresql', v, 'main')) && clusterPort(v, 'main') === port,
    )
    .sort((a, b) => Number(b) - Number(a))[0];
  return version ? { version, cluster: 'main' } : null;
}

async function startSystemCluster(target: AdminTarget): Promise<void> {
  const cluster = findSystemCluster(target.port);
  if (!isLoopbackHost(target.host) || !cluster) {
    throw new Error(
      `PostgreSQL is not reachable at ${describeTarget(target)}. Start it (or point DATABASE_ADMIN_URL at a running server); ` +
        (isLoopbackHost(target.host)
          ? `no pg_ctlcluster-managed cluster for port ${target.port} was found to start automatically.`
          : 'a remote server cannot be started from here.'),
    );
  }
  const { version, cluster: name } = cluster;
  log.info(
    `PostgreSQL is not reachable at ${describeTarget(target)}; starting cluster ${version}/${name} with pg_ctlcluster`,
  );
  // --skip-systemctl-redirect: act directly, also on machines (containers, CI) without systemd.
  const res = await runCommand(
    'pg_ctlcluster',
    ['--skip-systemctl-redirect', version, name, 'start'],
    { timeoutMs: 60_000 },
  );
  if (res.code !== 0) {
    throw new Error(
      `pg_ctlcluster ${version} ${name} start failed: ${(res.stderr || res.stdout).trim()}`,
    );
  }
  await recordStarted('postgres', { kind: 'pg_ctlcluster', version, cluster: name });
  await waitFor(postgresAnswers, {
    timeoutMs: 30_000,
    label: `PostgreSQL ${version}/${name}`,
    log,
  });
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Creates the databases that do not exist yet; returns the names it created. */
async function createMissingDatabases(names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const client = await connectAdmin();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname = ANY($1)',
      [names],
    );
    const existing = new Set(rows.map((r) => r.datname));
    const created: string[] = [];
    for (const name of names.filter((n) => !existing.has(n))) {
      try {
        // CREATE DATABASE cannot run inside a transaction block, so this is a plain statement;
        // another process creating the same database at the same moment is not an error.
        await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
        created.push(name);
      } catch (err) {
        const code = errorCode(err);
        if (code !== DUPLICATE_DATABASE && code !== UNIQUE_VIOLATION) throw err;
      }
    }
    return created;
  } finally {
    await client.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

export interface PostgresResult {
  status: 'reused' | 'started';
  detail: string;
  created: string[];
}

/** Makes sure PostgreSQL answers and that every database in `databases` exists. */
export async function ensurePostgres(databases: readonly string[] = []): Promise<PostgresResult> {
  const target = adminConfig();
  let status = 'reused' as PostgresResult['status'];
  let detail: string;
  if (await postgresAnswers()) {
    detail = readState().started.postgres
      ? 'started earlier by infra:up (pg_ctlcluster)'
      : `already running at ${describeTarget(target)}`;
  } else {
    await withLock(
      'postgres',
      async () => {
        if (await postgresAnswers()) return;
        await startSystemCluster(target);
        status = 'started';
      },
      { log },
    );
    detail =
      status === 'started'
        ? `system cluster via pg_ctlcluster at ${describeTarget(target)}`
        : `already running at ${describeTarget(target)}`;
  }
  const created = await createMissingDatabases(databases);
  return { status, detail, created };
}

/**
 * Drops databases and creates them empty again (test set-up): every run starts from the
 * migrations. Open connections are terminated first (`WITH (FORCE)`), so a test that
 * leaked a pool cannot block the drop. Like {@link dropDatabases}, refuses names that do
 * not say they are disposable.
 */
export async function recreateDatabases(names: readonly string[]): Promise<void> {
  refuseKeptDatabases(names);
  const client = await connectAdmin();
  try {
    for (const name of names) {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Names of databases the scripts may drop: those of the test, fault and bench stacks. A
 * mistyped list must not be able to wipe a development database.
 */
const DISPOSABLE = /_(test|faults|bench)(_\d+)?$/;

function refuseKeptDatabases(names: readonly string[]): void {
  const kept = names.filter((n) => !DISPOSABLE.test(n));
  if (kept.length > 0) {
    throw new Error(
      `refusing to drop databases not named <svc>_test, _faults or _bench: ${kept.join(', ')}`,
    );
  }
}

/**
 * Drops databases (for test set-up and tear-down). Open connections to them are
 * terminated first (`WITH (FORCE)`). Refuses names not of a test, fault or bench stack
 * unless `allowNonTest` is set.
 */
export async function dropDatabases(
  names: readonly string[],
  { allowNonTest = false }: { allowNonTest?: boolean } = {},
): Promise<void> {
  if (!allowNonTest) refuseKeptDatabases(names);
  const client = await connectAdmin();
  try {
    for (const name of names)
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A connection URL for database `name` on the admin server, with the admin's credentials;
 * one URL per service database for the services and for test set-up.
 */
export function databaseUrl(name: string): string {
  const { client } = adminConfig();
  if (client.connectionString) {
    const url = new URL(client.connectionString);
    url.pathname = `/${encodeURIComponent(name)}`;
    return url.toString();
  }
  const password = process.env.PGPASSWORD ? `:${encodeURIComponent(process.env.PGPASSWORD)}` : '';
  const host = client.host ?? '127.0.0.1';
  // `pg` reads a percent-encoded host that starts with "/" as a Unix socket directory.
  const authority = host.startsWith('/') ? encodeURIComponent(host) : `${host}:${client.port}`;
  return `postgres://${encodeURIComponent(client.user ?? 'postgres')}${password}@${authority}/${encodeURIComponent(name)}`;
}

/** Stops the cluster only if `ensurePostgres` started it. */
export async function stopPostgres(): Promise<'stopped' | 'not-ours'> {
  const entry = readState().started.postgres;
  if (!entry?.version || !entry.cluster) return 'not-ours';
  const res = await runCommand(
    'pg_ctlcluster',
    ['--skip-systemctl-redirect', entry.version, entry.cluster, 'stop'],
    { timeoutMs: 120_000 },
  );
  // Exit code 2 means "not running", which is the state we want anyway.
  if (res.code !== 0 && res.code !== 2) {
    throw new Error(
      `pg_ctlcluster ${entry.version} ${entry.cluster} stop failed: ${(res.stderr || res.stdout).trim()}`,
    );
  }
  await forgetStarted('postgres');
  return 'stopped';
}
