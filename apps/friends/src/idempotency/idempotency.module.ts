import { Global, Module } from '@nestjs/common';
import { IdempotencyPurger } from './idempotency-purger';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyRepository } from './idempotency.repository';

/** `Idempotency-Key` support for POST routes (see {@link IdempotencyInterceptor}). */
@Global()
@Module({
  providers: [IdempotencyInterceptor, IdempotencyRepository, IdempotencyPurger],
  exports: [IdempotencyInterceptor, IdempotencyRepository],
})
export class IdempotencyModule {}
