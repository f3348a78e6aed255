import {
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { APP_CONFIG, ReadinessChecks } from '@app/platform';
import { Redis } from 'ioredis';
import type { MessengerConfig } from '../config/messenger.config';

/** Injection token of the one shared ioredis client of the process. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

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
    try {
      await withTimeout(this.redis.ping(), PING_TIMEOUT_MS);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // quit() waits for pending replies; disconnect() is the fallback when Redis is gone.
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * The Redis client messenger shares (socket.io adapter, rate limits and presence build on
 * it). Redis being down makes the service unready, never crash: ioredis keeps reconnecting.
 */
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: MessengerConfig): Redis => {
        const logger = new Logger('Redis');
        const client = new Redis(config.redis.url, {
          // Fail fast instead of queueing commands while disconnected: callers (readiness,
          // later rate limits) must hear "unavailable" now, not in a minute.
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectionName: 'messenger',
        });
        // Without a listener ioredis prints every reconnect failure as an unhandled error.
        client.on('error', (error: Error) =>
          logger.warn(`Redis connection error: ${error.message}`),
        );
        return client;
      },
    },
    RedisLifecycle,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
