import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import { authClient, registerUser, type AuthGrpcClient } from './support/clients';
import {
  type ExtraService,
  spareGrpcPort,
  sparePort,
  startExtraService,
} from './support/extra-service';
import { E2E_INSTANCE, serviceEnv } from './support/stack';

/**
 * SIGTERM under load, against a service process of its own (the stack's are shared):
 * readiness goes down first while the service still serves, then the listener closes and
 * the requests in flight are answered, then the process exits — none reset. auth runs with
 * no `SHUTDOWN_GRACE_MS`, as `npm run up` starts it, so the default grace is what is tested.
 */

/**
 * The stack exports spans to a receiver only the tracing spec runs; flushing them to nobody
 * at exit takes seconds that say nothing about the drain.
 */
const WITHOUT_TRACING = { OTEL_SDK_DISABLED: 'true' };

/** How an HTTP exchange ended: its answer, or the error that cut it. */
interface Outcome {
  startedAt: number;
  endedAt: number;
  status?: number;
  connection?: string;
  body?: string;
  error?: string;
}

/** Sends one request and records how it ended; never rejects. */
function exchange(
  url: string,
  options: http.RequestOptions & { body?: string } = {},
): Promise<Outcome> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const request = http.request(url, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({
          startedAt,
          endedAt: Date.now(),
          status: response.statusCode,
          connection: response.headers.connection,
          body,
        }),
      );
      response.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ startedAt, endedAt: Date.now(), error: error.code ?? error.message }),
      );
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ startedAt, endedAt: Date.now(), error: error.code ?? error.message }),
    );
    request.end(options.body);
  });
}

/**
 * A request whose body arrives in two parts: the first now, the rest on `finish()`. Until
 * then the service holds it in flight, as it would a slow upload.
 */
function slowRequest(url: string, path: string, json: unknown) {
  const body = JSON.stringify(json);
  const split = Math.floor(body.length / 2);
  let finish!: () => void;
  const outcome = new Promise<Outcome>((resolve) => {
    const startedAt = Date.now();
    const request = http.request(`${url}${path}`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({ startedAt, endedAt: Date.now(), status: response.statusCode, body: text }),
      );
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ startedAt, endedAt: Date.now(), error: error.code ?? error.message }),
    );
    request.write(body.slice(0, split));
    finish = () => request.end(body.slice(split));
  });
  return { outcome, finish: () => finish() };
}

/**
 * What a load balancer sees of a service, probed every 50 ms: `/health/ready` on a new
 * connection until it says 503, and whether the port still accepts a TCP connection,
 * until it refuses. A bare connect never races the listener's close (the kernel finishes
 * the handshake or refuses it), where a request sent at that instant might be reset.
 */
class ShutdownWatch {
  readonly readiness: Array<{ at: number; result: number | string }> = [];
  readonly listener: Array<{ at: number; result: string }> = [];
  private stopped = false;
  private readonly loops: Promise<void>[];

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.loops = [
      this.poll(async () => {
        const outcome = await exchange(`${url}/health/ready`, { agent: false });
        this.readiness.push({ at: Date.now(), result: outcome.status ?? outcome.error ?? '?' });
        return outcome.status === 503;
      }),
      this.poll(async () => {
        const result = await tcpConnect(hostname, Number(port));
        this.listener.push({ at: Date.now(), result });
        return result === 'ECONNREFUSED';
      }),
    ];
  }

  /** When readiness first answered 503. */
  get unreadyAt(): number | undefined {
    return this.readiness.find((s) => s.result === 503)?.at;
  }

  /** When a new connection was first refused. */
  get refusedAt(): number | undefined {
    return this.listener.find((s) => s.result === 'ECONNREFUSED')?.at;
  }

  /** Resolves when `moment` has a value, and returns it. */
  async until(moment: 'unreadyAt' | 'refusedAt', timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const at = this[moment];
      if (at !== undefined) return at;
      await sleep(20);
    }
    throw new Error(`no ${moment}: ${JSON.stringify({ ...this, loops: undefined })}`);
  }

  /** The distinct results of `probe` in the order they came, e.g. `[200, 503]`. */
  sequence(probe: 'readiness' | 'listener'): Array<number | string> {
    return this[probe]
      .map((s) => s.result)
      .filter((result, i, all) => i === 0 || all[i - 1] !== result);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  /** Runs `probe` every 50 ms until it says it is done or the watch stops. */
  private async poll(probe: () => Promise<boolean>): Promise<void> {
    while (!this.stopped && !(await probe())) await sleep(50);
  }
}

/** Opens a TCP connection and closes it at once: `accepted`, or the error code. */
function tcpConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Resolves with how the process ended, and when. */
function exitOf(service: ExtraService): Promise<{ at: number; signal: string | null }> {
  return new Promise((resolve) =>
    service.process.once('exit', (_code, signal) => resolve({ at: Date.now(), signal })),
  );
}

describe('SIGTERM under load', () => {
  // Load, probes and sockets a test started stop with it, passed or failed.
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  describe('auth, with the default grace period (as `npm run up` starts it)', () => {
    let auth: ExtraService;

    beforeAll(async () => {
      auth = await startExtraService('auth', sparePort(30), {
        GRPC_PORT: String(spareGrpcPort(10)),
        // Its own counters, with limits this load never reaches: the stack's stay untouched.
        REDIS_KEY_PREFIX: `auth-shutdown-e2e-${E2E_INSTANCE}`,
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
        LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000',
        ...WITHOUT_TRACING,
      });
      // Nothing sets the grace: the default applies.
      expect(process.env.SHUTDOWN_GRACE_MS ?? serviceEnv('auth').SHUTDOWN_GRACE_MS).toBeUndefined();
    }, 90_000);

    afterAll(() => auth?.kill9());

    it('goes unready, keeps serving, closes its listener, answers what is in flight, exits', async () => {
      const login = (email: string) => ({ email, password: 'not-the-password-1' });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
      const watch = new ShutdownWatch(auth.url);
      let finished = false;
      cleanups.push(
        () => agent.destroy(),
        () => watch.stop(),
        () => (finished = true),
      );
      const exit = exitOf(auth);

      // A stream of requests over keep-alive connections, as a client or a proxy sends
      // them: JWKS (fast) and failed logins (a password hash each). A load balancer stops
      // sending a second after readiness says 503.
      const outcomes: Outcome[] = [];
      const stopSending = () => {
        const unready = watch.unreadyAt;
        return (
          finished ||
          (unready !== undefined && Date.now() > unready + 1_000) ||
          watch.refusedAt !== undefined
        );
      };
      const workers = Array.from({ length: 6 }, async (_, n) => {
        for (let i = 0; !stopSending(); i++) {
          outcomes.push(
            await (n % 2 === 0 || i % 3 !== 0
              ? exchange(`${auth.url}/.well-known/jwks.json`, { agent })
              : exchange(`${auth.url}/v1/auth/login`, {
                  agent,
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify(login(`nobody-${randomUUID()}@example.test`)),
                })),
          );
        }
      });
      await sleep(500);
      // Slow uploads, in flight across the whole shutdown: half their body now.
      const slow = Array.from({ length: 3 }, () =>
        slowRequest(auth.url, '/v1/auth/login', login(`slow-${randomUUID()}@example.test`)),
      );
      await sleep(200);

      const signalledAt = Date.now();
      auth.process.kill('SIGTERM');
      const unreadyAt = await watch.until('unreadyAt', 5_000);
      const refusedAt = await watch.until('refusedAt', 30_000);
      await Promise.all(workers);
      // The listener is closed: now the slow requests' bodies arrive.
      slow.forEach((request) => request.finish());
      const slowOutcomes = await Promise.all(slow.map((request) => request.outcome));
      const exited = await exit;
      await watch.stop();

      // Readiness went down first; new connections were still accepted while it said so,
      // and refused only once the listener closed (a grace of seconds, not 0).
      expect(watch.sequence('readiness')).toEqual([200, 503]);
      expect(watch.sequence('listener')).toEqual(['accepted', 'ECONNREFUSED']);
      expect(unreadyAt - signalledAt).toBeLessThan(1_000);
      expect(refusedAt - unreadyAt).toBeGreaterThanOrEqual(2_000);

      // Every request of the stream was answered, none reset; from the moment readiness
      // said 503, each answer closed its connection so clients reconnect elsewhere.
      expect(outcomes.filter((o) => o.error)).toEqual([]);
      expect(outcomes.map((o) => o.status).filter((s) => s !== 200 && s !== 401)).toEqual([]);
      const duringGrace = outcomes.filter((o) => o.startedAt > unreadyAt);
      expect(duringGrace.length).toBeGreaterThan(5);
      expect(duringGrace.filter((o) => o.connection !== 'close')).toEqual([]);

      // The slow requests, still uploading when the listener closed, got their answers.
      for (const outcome of slowOutcomes) {
        expect({ status: outcome.status, error: outcome.error }).toEqual({
          status: 401,
          error: undefined,
        });
        expect(JSON.parse(outcome.body ?? '{}')).toMatchObject({
          code: 'AUTH.INVALID_CREDENTIALS',
        });
        expect(outcome.endedAt).toBeGreaterThan(refusedAt);
      }
      // Only then did the process end, by the signal it was sent.
      expect(exited.at).toBeGreaterThanOrEqual(Math.max(...slowOutcomes.map((o) => o.endedAt)));
      expect(exited.signal).toBe('SIGTERM');
    }, 60_000);
  });

  describe('messenger: sockets are closed after the HTTP drain', () => {
    let messenger: ExtraService;
    let authGrpc: AuthGrpcClient;
    let token: string;

    beforeAll(async () => {
      authGrpc = authClient();
      [messenger, { accessToken: token }] = await Promise.all([
        startExtraService('messenger', sparePort(31), {
          // Its own consumer group: the stack's messenger keeps all its partitions.
          KAFKA_GROUP_ID: `${serviceEnv('messenger').KAFKA_GROUP_ID}-shutdown`,
          SHUTDOWN_GRACE_MS: '1000',
          ...WITHOUT_TRACING,
        }),
        registerUser(authGrpc, 'shutdown'),
      ]);
    }, 90_000);

    afterAll(async () => {
      authGrpc?.close();
      await messenger?.kill9();
    });

    it('keeps sockets through the grace and the drain, then closes them cleanly', async () => {
      const socket: Socket = io(messenger.url, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      cleanups.push(() => socket.close());
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const disconnected = new Promise<{ at: number; reason: string }>((resolve) =>
        socket.once('disconnect', (reason) => resolve({ at: Date.now(), reason })),
      );
      const watch = new ShutdownWatch(messenger.url);
      cleanups.push(() => watch.stop());
      const exit = exitOf(messenger);
      // An HTTP request in flight across the shutdown (its JSON body arrives late).
      const slow = slowRequest(messenger.url, '/no-such-route', { some: 'payload' });
      await sleep(200);

      messenger.process.kill('SIGTERM');
      await watch.until('unreadyAt', 5_000);
      expect(socket.connected).toBe(true);
      const refusedAt = await watch.until('refusedAt', 30_000);
      // The listener is closed and an HTTP request still in flight: sockets stay open.
      await sleep(200);
      expect(socket.connected).toBe(true);

      slow.finish();
      const answered = await slow.outcome;
      const closed = await disconnected;
      const exited = await exit;
      await watch.stop();

      expect({ status: answered.status, error: answered.error }).toEqual({
        status: 404,
        error: undefined,
      });
      expect(answered.endedAt).toBeGreaterThan(refusedAt);
      // After the drain, a close the client can tell from a network failure (a ping
      // timeout or transport error), so it reconnects to another instance right away.
      expect(closed.at).toBeGreaterThanOrEqual(answered.endedAt);
      expect(closed.reason).toBe('transport close');
      expect(exited.at).toBeGreaterThanOrEqual(closed.at);
      expect(exited.signal).toBe('SIGTERM');
    }, 60_000);
  });
});
