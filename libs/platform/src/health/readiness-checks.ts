import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';

/**
 * A readiness check: a function Terminus can run (one of the shapes its
 * `HealthIndicatorFunction` accepts) and the gRPC health service can call.
 */
export type ReadinessCheck = () => PromiseLike<HealthIndicatorResult> | HealthIndicatorResult;

/**
 * The dependencies `/health/ready` checks. Modules that own a dependency (database, Kafka,
 * Redis, a gRPC peer) register a check here at init, so the health module never needs to
 * know what a service is made of.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();
  private draining = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  all(): ReadinessCheck[] {
    return [...this.checks.values()];
  }

  /** Called at shutdown: readiness reports down before connections close. */
  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }
}
