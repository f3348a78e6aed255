import { BeforeApplicationShutdown, DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { GrpcHealthService } from './grpc-health.service';
import { HealthController } from './health.controller';
import { ReadinessChecks } from './readiness-checks';
import { SHUTDOWN_GRACE_MS, ShutdownGrace } from './shutdown-grace';

/**
 * `/health/live` and `/health/ready` (and `grpc.health.v1.Health` on a gRPC server, from
 * the same checks); readiness goes down first on shutdown.
 */
@Global()
@Module({})
export class HealthModule implements BeforeApplicationShutdown {
  constructor(private readonly grace: ShutdownGrace) {}

  static forRoot(options: { shutdownGraceMs: number }): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [HealthController],
      providers: [
        ReadinessChecks,
        GrpcHealthService,
        ShutdownGrace,
        { provide: SHUTDOWN_GRACE_MS, useValue: options.shutdownGraceMs },
      ],
      exports: [ReadinessChecks, GrpcHealthService, ShutdownGrace],
    };
  }

  /**
   * Readiness down and the grace period, when the app is closed without a signal (tests,
   * scripts); after SIGTERM `bootstrapService` has run it first and this returns at once.
   */
  beforeApplicationShutdown(): Promise<void> {
    return this.grace.begin();
  }
}
