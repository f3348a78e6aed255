import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { ReadinessChecks } from './readiness-checks';

/** How often Watch subscribers learn about a change nobody asked Check about. */
const POLL_INTERVAL_MS = 5_000;
/** Concurrent or rapid Check calls share one run of the readiness checks. */
const RESULT_TTL_MS = 1_000;

type UnaryHandler = (call: unknown, callback: unknown) => void;

/**
 * `grpc.health.v1.Health` for a service's gRPC server, answering from the same readiness
 * checks as `GET /health/ready` (database, Kafka, Redis…). `Check` runs them on demand
 * (shared by concurrent callers for a second); a poll keeps `Watch` streams current.
 * The overall status (service `""`) and each served service move together: a service
 * serves nothing useful with a dependency down. Idle in a service without gRPC until
 * {@link startPolling}.
 */
@Injectable()
export class GrpcHealthService implements OnApplicationShutdown {
  private readonly logger = new Logger(GrpcHealthService.name);
  private readonly services: string[] = [''];
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private current: ServingStatus = 'NOT_SERVING';
  private inFlight?: Promise<ServingStatus>;
  private checkedAt = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly readiness: ReadinessChecks) {}

  /** Names the fully-qualified services (e.g. `auth.v1.AuthService`) health reports on. */
  track(serviceNames: readonly string[]): void {
    for (const name of serviceNames) {
      if (this.services.includes(name)) continue;
      this.services.push(name);
      this.health.setStatus(name, this.current);
    }
  }

  /** Adds the Health service to a grpc-js server; `Check` refreshes before it answers. */
  addToServer(server: Pick<grpc.Server, 'addService'>): void {
    this.health.addToServer({
      addService: (definition, implementation) =>
        server.addService(definition, {
          ...implementation,
          check: (call: unknown, callback: unknown) => {
            void this.refresh().finally(() =>
              (implementation.check as UnaryHandler)(call, callback),
            );
          },
        }),
    });
  }

  /** Starts the poll that keeps `Watch` streams current (once a server serves Health). */
  startPolling(): void {
    if (this.timer || this.stopped) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(true), POLL_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.publish('NOT_SERVING');
  }

  /** Runs the readiness checks (or reuses a result under a second old) and publishes it. */
  refresh(force = false): Promise<ServingStatus> {
    if (this.inFlight) return this.inFlight;
    if (!force && Date.now() - this.checkedAt < RESULT_TTL_MS) return Promise.resolve(this.current);
    this.inFlight = this.evaluate()
      .then((status) => {
        this.checkedAt = Date.now();
        this.publish(status);
        return status;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async evaluate(): Promise<ServingStatus> {
    if (this.stopped || this.readiness.isDraining) return 'NOT_SERVING';
    const results = await Promise.all(
      this.readiness.all().map(async (check) => {
        try {
          const result = await check();
          return Object.values(result).every((entry) => entry.status === 'up');
        } catch {
          // Older indicators throw when their dependency is down.
          return false;
        }
      }),
    );
    return results.every(Boolean) ? 'SERVING' : 'NOT_SERVING';
  }

  private publish(status: ServingStatus): void {
    if (status !== this.current) {
      this.logger.log({ status }, 'gRPC serving status changed');
    }
    this.current = this.stopped ? 'NOT_SERVING' : status;
    for (const name of this.services) this.health.setStatus(name, this.current);
  }
}
