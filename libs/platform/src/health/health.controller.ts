import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { ReadinessChecks } from './readiness-checks';

/** Liveness and readiness probes, in Terminus's JSON format. */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessChecks,
  ) {}

  /** The process is up and its event loop turns; says nothing of dependencies. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Every dependency answers and the service is not shutting down. */
  @Get('ready')
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    if (this.readiness.isDraining) {
      throw new ServiceUnavailableException({
        status: 'shutting_down',
        info: {},
        error: {},
        details: {},
      });
    }
    return await this.health.check(this.readiness.all());
  }
}
