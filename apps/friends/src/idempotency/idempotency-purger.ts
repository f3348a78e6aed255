import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { IDEMPOTENCY_KEY_TTL_MS } from './idempotency.interceptor';
import { IdempotencyRepository } from './idempotency.repository';

const PURGE_EVERY_MS = 60 * 60 * 1000;

/** Deletes expired idempotency keys once an hour, so the table stays the size of a day. */
@Injectable()
export class IdempotencyPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyPurger.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly keys: IdempotencyRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.keys
        .purgeOlderThan(IDEMPOTENCY_KEY_TTL_MS)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'Idempotency purge failed'));
    }, PURGE_EVERY_MS);
    // Never the reason the process stays alive.
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
