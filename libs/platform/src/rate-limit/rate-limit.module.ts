import {
  DynamicModule,
  MiddlewareConsumer,
  Module,
  NestModule,
  RequestMethod,
} from '@nestjs/common';
import { RateLimitMiddleware } from './rate-limit.middleware';
import { RATE_LIMIT_OPTIONS, RateLimitOptions } from './rate-limit.options';
import { RequestRateLimiter } from './request-rate-limiter';

/**
 * Per-caller request limits on every HTTP route of the app but health, metrics and docs:
 * per authenticated user (else per client address), counted in Redis across instances,
 * answered 429 with `Retry-After` and `COMMON.RATE_LIMITED`. An app declares it once with
 * its limits (`rateLimitConfig` of its env) next to `RedisModule.forRoot`, whose client
 * holds the counters, and `TokenVerificationModule`, which identifies users.
 */
@Module({})
export class RateLimitModule implements NestModule {
  static forRoot(options: RateLimitOptions): DynamicModule {
    return {
      module: RateLimitModule,
      // The middleware is not a provider: Nest instantiates middleware itself.
      providers: [{ provide: RATE_LIMIT_OPTIONS, useValue: options }, RequestRateLimiter],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RateLimitMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
