// What the benchmarks run on besides Node: PostgreSQL, Redis and Kafka — their versions and
// the settings that move the figures (durability, memory, partitions), stored with every
// run's results — and the process ids of their servers, so a case can count their CPU as
// server-side work (A2: all server processes, not the messenger process alone).

import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';

const ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** `application_name` of the bench's own connections, told apart from the services'. */
export const BENCH_APPLICATION_NAME = 'bench';

/** PostgreSQL settings that decide what a commit costs and how much is cached. */
const PG_SETTINGS = [
  'synchronous_commit',
  'fsync',
  'wal_level',
  'wal_sync_method',
  'commit_delay',
  'shared_buffers',
  'max_connections',
  'checkpoint_timeout',
  'max_wal_size',
  'work_mem',
  'track_commit_timestamp',
];
/** Kafka broker settings worth knowing next to a latency figure. */
const KAFKA_SETTINGS = [
  'num.partitions',
  'default.replication.factor',
  'min.insync.replicas',
  'log.flush.interval.messages',
  'log.flush.interval.ms',
  'num.network.threads',
  'num.io.threads',
  'group.initial.rebalance.delay.ms',
];

/** Command line of a process as an argument list ([] when it is gone). */
function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Pid of the local Kafka broker (the JVM running `kafka.Kafka`), or undefined. */
export function kafkaPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = cmdline(Number(entry));
    if (args.includes('kafka.Kafka')) return Number(entry);
  }
  return undefined;
}

/** Kafka's version (from its jar on the broker's class path) and settings (its properties file). */
function kafkaInfo() {
  const pid = kafkaPid();
  if (pid === undefined) return { note: 'no local broker process found' };
  const args = cmdline(pid);
  const classPath = args[args.indexOf('-cp') + 1] ?? '';
  let version: string | undefined;
  for (const dir of classPath.split(':').map((p) => p.replace(/\/\*$/, ''))) {
    try {
      const jar = readdirSync(dir).find((f) => /^kafka_[\d.]+-[\d.]+\.jar$/.test(f));
      if (jar) version = /-([\d.]+)\.jar$/.exec(jar)?.[1];
    } catch {
      // not a folder
    }
    if (version) break;
  }
  const settings: Record<string, string> = {};
  const properties = args.at(-1);
  try {
    for (const line of readFileSync(properties ?? '', 'utf8').split('\n')) {
      const match = /^([\w.]+)=(.*)$/.exec(line.trim());
      if (match && KAFKA_SETTINGS.includes(match[1])) settings[match[1]] = match[2];
    }
  } catch {
    // properties not readable: version only
  }
  const heap = args.find((a) => a.startsWith('-Xmx'));
  return { version, pid, heap, settings };
}

async function postgresInfo() {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const { rows: version } = await client.query<{ server_version: string }>('SHOW server_version');
    const { rows } = await client.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1) ORDER BY name',
      [PG_SETTINGS],
    );
    return {
      version: version[0].server_version,
      settings: Object.fromEntries(
        rows.map((r) => [r.name, r.unit ? `${r.setting} (${r.unit})` : r.setting]),
      ),
    };
  } finally {
    await client.end();
  }
}

async function redisInfo() {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const fields: Record<string, string | undefined> = Object.fromEntries(
      (await redis.info())
        .split('\r\n')
        .map((line) => line.split(':'))
        .filter((parts): parts is [string, string] => parts.length === 2),
    );
    const settings: Record<string, unknown> = { aof_enabled: fields.aof_enabled };
    for (const name of ['appendfsync', 'save', 'maxmemory', 'io-threads']) {
      try {
        const [, value] = (await redis.config('GET', name)) as unknown[];
        settings[name] = value;
      } catch {
        // CONFIG may be disabled on a managed server
      }
    }
    return { version: fields.redis_version, pid: Number(fields.process_id), settings };
  } finally {
    redis.disconnect();
  }
}

/**
 * Versions and key settings of PostgreSQL, Redis and Kafka; a component that cannot be
 * read is recorded with the reason instead of failing the run.
 */
export async function infraInfo() {
  const settle = async <T>(read: () => Promise<T>): Promise<T | { error: string }> => {
    try {
      return await read();
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  return {
    postgres: await settle(postgresInfo),
    redis: await settle(redisInfo),
    kafka: await settle(() => Promise.resolve(kafkaInfo())),
  };
}

/** The local Redis server's pid (from INFO), or undefined. */
export async function redisPid(): Promise<number | undefined> {
  const info = await redisInfo().catch(() => undefined);
  return info?.pid;
}

/**
 * Pids of the PostgreSQL processes serving one database right now (its backends, from
 * pg_stat_activity, but not the bench's own — its pools say `application_name=bench`) plus the server's WAL writer, checkpointer and background writer, which
 * do the commits' disk work for every database. Ask again after a round: a pool may have
 * opened connections meanwhile.
 * @param pool   any pool on the server
 */
export async function postgresPids(pool: pg.Pool, database: string): Promise<number[]> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE (datname = $1 AND application_name <> $2)
         OR backend_type IN ('walwriter', 'checkpointer', 'background writer')`,
    [database, BENCH_APPLICATION_NAME],
  );
  return rows.map((r) => r.pid);
}

/**
 * Starts counting the CPU of a changing set of processes (a pool may open a PostgreSQL
 * backend mid-round): `listPids` is asked at the start and at the end; a process there at
 * both counts its difference, one that appeared meanwhile all its CPU (it started within
 * the measurement). Resolves a function that resolves the CPU seconds so far.
 */
export async function measureCpuOfProcesses(
  listPids: () => Promise<number[]>,
  cpuSecondsOf: (pid: number) => number,
): Promise<() => Promise<number>> {
  const start = new Map((await listPids()).map((pid) => [pid, cpuSecondsOf(pid)]));
  return async () => {
    const pids = new Set([...start.keys(), ...(await listPids())]);
    let total = 0;
    for (const pid of pids) total += Math.max(0, cpuSecondsOf(pid) - (start.get(pid) ?? 0));
    return total;
  };
}
