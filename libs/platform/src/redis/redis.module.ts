import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { ReadinessChecks } from '../health/readiness-checks';

/** Injection token of the service's shared ioredis client (see {@link RedisModule}). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export interface RedisModuleOptions {
  /** `redis://host:port[/db]`. */
  url: string;
  /** Shown by `CLIENT LIST`, so an operator sees which service holds a connection. */
  connectionName: string;
}

/** A check slower than this counts as down. */
const PING_TIMEOUT_MS = 1_000;

/** Registers Redis with `/health/ready` and closes the client on shutdown. */
@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly readiness: ReadinessChecks,
    private readonly indicators: HealthIndicatorService,
  ) {}

  onModuleInit(): void {
    this.readiness.register('redis', () => this.check());
  }

  async check() {
    const indicator = this.indicators.check('redis');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)),
        PING_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.redis.ping(), timeout]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // quit() waits for pending replies; disconnect() is the fallback when Redis is gone.
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * The one ioredis client of a service (rate-limit counters, short-lived state), available
 * everywhere as {@link REDIS_CLIENT} and checked by `/health/ready`. Set up as auth's and
 * messenger's are: commands fail fast while disconnected (no offline queue, one retry),
 * so callers hear "unavailable" at once and fall back — the rate limiter to counting in
 * the instance's memory — instead of making requests wait; ioredis keeps reconnecting,
 * and an outage makes the service unready, never crash.
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(options: RedisModuleOptions): DynamicModule {
    return {
      module: RedisModule,
      imports: [TerminusModule],
      providers: [
        {
          provide: REDIS_CLIENT,
          useFactory: (): Redis => {
            const logger = new Logger('Redis');
            const client = new Redis(options.url, {
              enableOfflineQueue: false,
              maxRetriesPerRequest: 1,
              connectTimeout: 2_000,
              connectionName: options.connectionName,
            });
            // Without a listener ioredis reports every reconnect failure as unhandled.
            client.on('error', (error: Error) =>
              logger.warn(`Redis connection error: ${error.message}`),
            );
            return client;
          },
        },
        RedisLifecycle,
      ],
      exports: [REDIS_CLIENT],
    };
  }
}
