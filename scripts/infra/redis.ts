// Makes Redis reachable at REDIS_URL (default redis://127.0.0.1:6379).
//
// Redis here holds only disposable data (socket.io fan-out, rate-limit counters, caches), so
// a server we start ourselves runs without persistence and keeps nothing on disk.

import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import {
  INFRA_DIR,
  REPO_ROOT,
  type StopOutcome,
  WaitAbortedError,
  createLogger,
  findExecutable,
  forgetStarted,
  isLoopbackHost,
  readState,
  recordStarted,
  reuseNote,
  runningPidFromFile,
  spawnDetached,
  stopByPidfile,
  tailFile,
  waitFor,
  withLock,
} from './lib';

const log = createLogger('redis');

const REDIS_DIR = path.join(INFRA_DIR, 'redis');
const PID_FILE = path.join(REDIS_DIR, 'redis.pid');
const LOG_FILE = path.join(REDIS_DIR, 'redis.log');
// redis-server rewrites its process title to `redis-server <bind>:<port>`, so that is all
// /proc shows of it; the name is enough alongside the pid file.
const PROCESS_MATCH = 'redis-server';

/** The Redis of this machine's stacks (REDIS_URL). */
export const redisUrl = (): string => process.env.REDIS_URL || 'redis://127.0.0.1:6379';

interface RedisTarget {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
}

function redisTarget(): RedisTarget {
  const url = new URL(redisUrl());
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must start with redis:// or rediss://, got "${url.protocol}"`);
  }
  return {
    // URL keeps IPv6 hosts in brackets; sockets want them bare.
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(url.port || 6379),
    tls: url.protocol === 'rediss:',
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

/** A command in RESP, the protocol every Redis client speaks. */
function resp(...parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
}

/**
 * Sends PING (after AUTH when the URL carries credentials) and resolves with the last reply
 * line, or null when nothing answers. `+PONG` means ready; `-NOAUTH`/`-WRONGPASS` mean a
 * Redis is there but REDIS_URL's credentials do not fit, which starting another cannot fix.
 */
function pingRedis(
  { host, port, tls: useTls, username, password }: RedisTarget,
  timeoutMs = 1000,
): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = useTls
      ? tls.connect({ host, port, servername: host })
      : net.connect({ host, port });
    const expected = password ? 2 : 1;
    let replies: string[] = [];
    let buffered = '';
    const finish = (value: string | null) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => finish(null));
    socket.once('error', () => finish(null));
    socket.once(useTls ? 'secureConnect' : 'connect', () => {
      const auth = password
        ? username
          ? resp('AUTH', username, password)
          : resp('AUTH', password)
        : '';
      socket.write(auth + resp('PING'));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\r\n');
      buffered = lines.pop() ?? '';
      replies = replies.concat(lines);
      // An error to AUTH is the answer that matters; no need to wait for PING's.
      if (replies[0]?.startsWith('-') || replies.length >= expected)
        finish(replies.find((r) => r.startsWith('-')) ?? replies.at(-1) ?? null);
    });
  });
}

async function redisAnswers(target: RedisTarget): Promise<boolean> {
  const reply = await pingRedis(target);
  if (reply === null) return false;
  if (reply === '+PONG') return true;
  throw new WaitAbortedError(
    `Redis at ${target.host}:${target.port} answered PING with "${reply}"; check the credentials in REDIS_URL`,
  );
}

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

export interface RedisResult {
  status: 'reused' | 'started';
  detail: string;
  url: string;
}

/**
 * Makes sure Redis answers PING at REDIS_URL, starting `redis-server` without persistence
 * when it is installed and nothing listens.
 */
export async function ensureRedis(): Promise<RedisResult> {
  const target = redisTarget();
  const url = redisUrl();
  const where = `${target.host}:${target.port}`;
  const reused = (): RedisResult => ({ status: 'reused', detail: reuseNote('redis'), url });
  if (await redisAnswers(target)) return reused();

  if (!isLoopbackHost(target.host)) {
    throw new Error(
      `Redis is not reachable at ${where} (REDIS_URL); only a server on this machine can be started`,
    );
  }
  const redisServer = findExecutable('redis-server');
  if (!redisServer) {
    throw new Error(
      `Redis is not reachable at ${where} and redis-server is not installed; install Redis or set REDIS_URL`,
    );
  }

  return withLock(
    'redis',
    async (): Promise<RedisResult> => {
      if (await redisAnswers(target)) return reused();
      if (runningPidFromFile(PID_FILE, PROCESS_MATCH) !== null) {
        // Ours, started by a parallel run a moment ago and still loading.
        await waitFor(() => redisAnswers(target), {
          timeoutMs: 15_000,
          label: `Redis on ${where}`,
          log,
        });
        return reused();
      }

      const args = [
        '--port',
        String(target.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ];
      if (target.password) args.push('--requirepass', target.password);
      // The working directory is .infra/redis so that nothing Redis might write lands in the repo.
      const { pid, exitStatus } = spawnDetached({
        command: redisServer,
        args,
        cwd: REDIS_DIR,
        logFile: LOG_FILE,
        pidFile: PID_FILE,
      });
      await recordStarted('redis', {
        kind: 'process',
        pidFile: path.relative(REPO_ROOT, PID_FILE),
        match: PROCESS_MATCH,
        pid,
      });
      try {
        await waitFor(
          () => {
            const exit = exitStatus();
            if (exit)
              throw new WaitAbortedError(
                `redis-server exited during start-up (${exit.signal ?? `exit code ${exit.code}`})`,
              );
            return redisAnswers(target);
          },
          { timeoutMs: 15_000, intervalMs: 100, label: `Redis on ${where}`, log },
        );
      } catch (err) {
        log.block(
          `last lines of ${path.relative(REPO_ROOT, LOG_FILE)}:`,
          tailFile(LOG_FILE, 20) || '(empty)',
        );
        await stopRedis();
        throw err;
      }
      return {
        status: 'started',
        detail: `redis-server without persistence (pid ${pid}); log: ${path.relative(REPO_ROOT, LOG_FILE)}`,
        url,
      };
    },
    { log },
  );
}

/** Stops Redis only if `ensureRedis` started it. */
export async function stopRedis(): Promise<StopOutcome | 'not-ours'> {
  const entry = readState().started.redis;
  if (!entry?.pidFile) return 'not-ours';
  const outcome = await stopByPidfile(path.join(REPO_ROOT, entry.pidFile), {
    match: entry.match,
    graceMs: 10_000,
  });
  await forgetStarted('redis');
  return outcome;
}
