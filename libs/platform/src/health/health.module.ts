import { BeforeApplicationShutdown, DynamicModule, Global, Inject, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { setTimeout as sleep } from 'node:timers/promises';
import { GrpcHealthService } from './grpc-health.service';
import { HealthController } from './health.controller';
import { ReadinessChecks } from './readiness-checks';

const SHUTDOWN_GRACE_MS = Symbol('SHUTDOWN_GRACE_MS');

/**
 * `/health/live` and `/health/ready` (and `grpc.health.v1.Health` on a gRPC server, from
 * the same checks); readiness goes down first on shutdown.
 */
@Global()
@Module({})
export class HealthModule implements BeforeApplicationShutdown {
  constructor(
    private readonly readiness: ReadinessChecks,
    @Inject(SHUTDOWN_GRACE_MS) private readonly graceMs: number,
  ) {}

  static forRoot(options: { shutdownGraceMs: number }): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [HealthController],
      providers: [
        ReadinessChecks,
        GrpcHealthService,
        { provide: SHUTDOWN_GRACE_MS, useValue: options.shutdownGraceMs },
      ],
      exports: [ReadinessChecks, GrpcHealthService],
    };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.readiness.startDraining();
    // Give load balancers time to see readiness fail before connections close.
    if (this.graceMs > 0) await sleep(this.graceMs);
  }
}
