import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessChecks } from '@app/platform';
import { KafkaConnection } from './kafka.connection';

/** Terminus indicator: the Kafka cluster answers a metadata request. */
@Injectable()
export class KafkaHealthIndicator implements OnModuleInit {
  constructor(
    private readonly connection: KafkaConnection,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.readiness.register('kafka', () => this.check('kafka'));
  }

  async check(key: string) {
    const indicator = this.indicators.check(key);
    try {
      await this.connection.ping(1_500);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
