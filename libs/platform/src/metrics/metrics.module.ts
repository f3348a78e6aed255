import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { HttpMetricsInterceptor, MetricsController, MetricsService } from './metrics';

/** Prometheus metrics at `/metrics`, labelled with the service name. */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: { service: string }): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [
        { provide: MetricsService, useValue: new MetricsService(options.service) },
        { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
      ],
      exports: [MetricsService],
    };
  }
}
