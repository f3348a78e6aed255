import { Global, Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, ReadinessChecks } from '@app/platform';
import { Redis } from 'ioredis';
import type { AuthConfig } from '../config/auth.config';

/** Injection token of auth's ioredis client. */
export const REDIS = Symbol('REDIS');

/** A check slower than this counts as down. */
const PING_TIMEOUT_MS = 1_000;

/**
 * auth's Redis connection (rate-limit counters), registered as the `redis` readiness check.
 * Commands fail fast while disconnected (no offline queue): the limiters then fall back to
 * per-instance memory instead of making logins wait.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AuthConfig) =>
        new Redis(config.redis.url, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
        }),
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    // Errors surface through readiness; ioredis reconnects by itself.
    this.redis.on('error', () => undefined);
    this.readiness.register('redis', async () => {
      try {
        await Promise.race([
          this.redis.ping(),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('timeout')), PING_TIMEOUT_MS).unref(),
          ),
        ]);
        return { redis: { status: 'up' } };
      } catch (error) {
        return { redis: { status: 'down', message: (error as Error).message } };
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
