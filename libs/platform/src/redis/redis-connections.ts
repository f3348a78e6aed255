import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisModuleOptions {
  /** `redis://host:port[/db]`. */
  url: string;
  /** Shown by `CLIENT LIST`, so an operator sees which service holds a connection. */
  connectionName: string;
}

/** What a dedicated connection may set differently from ioredis's defaults. */
export type RedisConnectionOptions = Pick<
  RedisOptions,
  'lazyConnect' | 'autoResubscribe' | 'maxRetriesPerRequest' | 'enableOfflineQueue'
>;

/**
 * Every Redis connection of a service, made from one URL and closed at shutdown.
 *
 * {@link shared} is the client commands go through (rate-limit counters, short-lived
 * state): it fails fast while disconnected (no offline queue, one retry), so callers hear
 * "unavailable" at once and fall back — the rate limiters to counting in the instance's
 * memory — instead of making requests wait. Pub/sub needs connections of its own (a
 * subscribed client can issue nothing else): {@link open} makes them, named after the
 * service and their role. ioredis keeps reconnecting every one of them; an outage is
 * logged, never a crash.
 */
export class RedisConnections {
  readonly shared: Redis;
  private readonly logger = new Logger('Redis');
  private readonly dedicated: Redis[] = [];

  constructor(private readonly options: RedisModuleOptions) {
    this.shared = this.connect(options.connectionName, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
    });
  }

  /** A connection of its own for `role` (e.g. `io-pub`), with ioredis's defaults but `options`. */
  open(role: string, options: RedisConnectionOptions = {}): Redis {
    const client = this.connect(`${this.options.connectionName}-${role}`, options);
    this.dedicated.push(client);
    return client;
  }

  /** Closes every connection; pending replies are awaited first. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.dedicated, this.shared].map(async (client) => {
        // Not connected (lazy, never used, or Redis is gone): nothing can be pending.
        if (client.status !== 'ready') return client.disconnect();
        // A client quit under pending commands rejects them where nobody listens, which
        // ends the process with an unhandled rejection (the socket.io adapter sends its
        // UNSUBSCRIBEs without awaiting them). Replies come in order: once a PING is
        // answered nothing is pending.
        await client.ping().catch(() => undefined);
        await client.quit().catch(() => client.disconnect());
      }),
    );
  }

  private connect(connectionName: string, options: RedisOptions): Redis {
    const client = new Redis(this.options.url, { ...options, connectionName });
    // Without a listener ioredis reports every reconnect failure as unhandled.
    client.on('error', (error: Error) =>
      this.logger.warn(`Redis connection error (${connectionName}): ${error.message}`),
    );
    return client;
  }
}
