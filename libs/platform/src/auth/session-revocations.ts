import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { Redis } from 'ioredis';

/** Sorted set of ended sessions: member = session id, score = when its tokens expire (ms). */
export const REVOKED_SESSIONS_KEY = 'auth:revoked-sessions';
/** Pub/sub channel on which a revocation is announced to every instance at once. */
export const REVOKED_SESSIONS_CHANNEL = 'auth:sessions:revoked';
/**
 * How long a revocation is kept when the caller does not know its tokens' expiry (a
 * consumer of `auth.session.revoked.v1`): the longest an access token lives.
 */
export const MAX_ACCESS_TOKEN_LIFETIME_MS = 60 * 60_000;
/** How often the whole set is re-read, covering announcements missed while disconnected. */
const RESYNC_MS = 30_000;

export interface SessionRevocationOptions {
  /** `redis://host:port[/db]` of the Redis every instance of every service shares. */
  redisUrl: string;
  /** Shown by `CLIENT LIST`. */
  connectionName: string;
}

export const SESSION_REVOCATION_OPTIONS = Symbol('SESSION_REVOCATION_OPTIONS');

/**
 * The sessions that have ended (logout, refresh-token reuse, account deleted or suspended)
 * while their access tokens are still unexpired, shared by every instance of every
 * service through Redis and mirrored in each process's memory, so checking a token costs
 * a map lookup and no I/O.
 *
 * auth records a revocation right after committing it ({@link revoke}: the sorted set and
 * a pub/sub announcement that every instance applies at once); the
 * `auth.session.revoked.v1` event, consumed by every service, records it again
 * (idempotent), so a revocation reaches every service even when the announcement was lost.
 * Entries go when the session's tokens have expired anyway.
 */
@Injectable()
export class SessionRevocations implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SessionRevocations.name);
  /** session id → until when (ms) its tokens must be refused. */
  private readonly revoked = new Map<string, number>();
  private readonly listeners: Array<(sessionId: string) => void> = [];
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private resync?: NodeJS.Timeout;

  constructor(@Optional() @Inject(SESSION_REVOCATION_OPTIONS) options?: SessionRevocationOptions) {
    const url = options?.redisUrl ?? 'redis://127.0.0.1:6379';
    const name = options?.connectionName ?? 'revocations';
    this.commands = new Redis(url, { connectionName: `${name}-revocations`, lazyConnect: true });
    this.subscriber = new Redis(url, {
      connectionName: `${name}-revocations-sub`,
      lazyConnect: true,
    });
    for (const client of [this.commands, this.subscriber]) {
      client.on('error', (error: Error) =>
        this.logger.warn(`session revocations: Redis connection error: ${error.message}`),
      );
    }
  }

  /** Loads the current set before the service takes traffic, then follows announcements. */
  async onModuleInit(): Promise<void> {
    await Promise.all([this.commands.connect(), this.subscriber.connect()]);
    this.subscriber.on('message', (_channel: string, message: string) => this.apply(message));
    // Re-read after every reconnect too: announcements made meanwhile were missed.
    this.subscriber.on('ready', () => void this.load());
    await this.subscriber.subscribe(REVOKED_SESSIONS_CHANNEL);
    await this.load();
    this.resync = setInterval(() => void this.load(), RESYNC_MS);
    this.resync.unref();
  }

  /** True while tokens of `sessionId` must be refused. */
  isRevoked(sessionId: string | undefined): boolean {
    if (!sessionId) return false;
    const until = this.revoked.get(sessionId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.revoked.delete(sessionId);
    return false;
  }

  /** Called with the id of every session that ends from now on (on any instance). */
  onRevoked(listener: (sessionId: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Ends `sessionId` for every instance of every service until `untilMs` (its last access
   * token's expiry): recorded in Redis and announced. Idempotent.
   */
  async revoke(
    sessionId: string,
    untilMs = Date.now() + MAX_ACCESS_TOKEN_LIFETIME_MS,
  ): Promise<void> {
    this.record(sessionId, untilMs);
    await this.commands
      .multi()
      .zadd(REVOKED_SESSIONS_KEY, 'GT', untilMs, sessionId)
      .zremrangebyscore(REVOKED_SESSIONS_KEY, '-inf', Date.now())
      .publish(REVOKED_SESSIONS_CHANNEL, JSON.stringify({ sessionId, until: untilMs }))
      .exec();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.resync);
    await Promise.all(
      [this.commands, this.subscriber].map((client) =>
        client.quit().catch(() => client.disconnect()),
      ),
    );
  }

  private async load(): Promise<void> {
    try {
      const entries = await this.commands.zrangebyscore(
        REVOKED_SESSIONS_KEY,
        Date.now(),
        '+inf',
        'WITHSCORES',
      );
      for (let i = 0; i < entries.length; i += 2) this.record(entries[i], Number(entries[i + 1]));
    } catch (error) {
      this.logger.warn({ err: error }, 'session revocations: could not re-read the set');
    }
  }

  private apply(message: string): void {
    try {
      const { sessionId, until } = JSON.parse(message) as { sessionId?: unknown; until?: unknown };
      if (typeof sessionId === 'string' && typeof until === 'number') this.record(sessionId, until);
    } catch {
      this.logger.warn('session revocations: ignored a malformed announcement');
    }
  }

  private record(sessionId: string, untilMs: number): void {
    if (untilMs <= Date.now()) return;
    const known = this.revoked.get(sessionId);
    this.revoked.set(sessionId, Math.max(known ?? 0, untilMs));
    if (known !== undefined) return;
    for (const listener of this.listeners) {
      try {
        listener(sessionId);
      } catch (error) {
        this.logger.warn({ err: error }, 'session revocations: a listener failed');
      }
    }
  }
}
