import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReadinessChecks } from './readiness-checks';

/** Injection token of the grace period in milliseconds (`SHUTDOWN_GRACE_MS`). */
export const SHUTDOWN_GRACE_MS = Symbol('SHUTDOWN_GRACE_MS');

/**
 * The first step of a shutdown: readiness reports down (`/health/ready` 503, gRPC health
 * NOT_SERVING) while the service keeps serving for the grace period, so load balancers and
 * Kubernetes take it out of rotation before its listener closes.
 */
@Injectable()
export class ShutdownGrace {
  private started?: Promise<void>;

  constructor(
    private readonly readiness: ReadinessChecks,
    @Inject(SHUTDOWN_GRACE_MS) private readonly graceMs: number,
  ) {}

  /**
   * Starts the grace period, or joins the one already running: the signal handler of
   * `bootstrapService` and the module's shutdown hook both call it.
   */
  begin(): Promise<void> {
    this.started ??= this.run();
    return this.started;
  }

  private async run(): Promise<void> {
    this.readiness.startDraining();
    if (this.graceMs > 0) await sleep(this.graceMs);
  }
}
