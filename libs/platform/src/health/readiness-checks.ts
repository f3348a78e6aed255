import { Injectable } from '@nestjs/common';
import type { HealthIndicatorFunction } from '@nestjs/terminus';

/**
 * The dependencies `/health/ready` checks. Modules that own a dependency (database, Kafka,
 * Redis, a gRPC peer) register a check here at init, so the health module never needs to
 * know what a service is made of.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, HealthIndicatorFunction>();
  private draining = false;

  register(name: string, check: HealthIndicatorFunction): void {
    this.checks.set(name, check);
  }

  all(): HealthIndicatorFunction[] {
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
