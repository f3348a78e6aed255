import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { MetricsController, MetricsService } from './metrics';
import { RequestMetricsInterceptor } from './request-metrics.interceptor';
import { SocketMetricsGateway } from './socket-metrics.gateway';

export interface MetricsModuleOptions {
  /** Value of the `service` label on every series. */
  service: string;
  /** The service serves socket.io: measure its events and connections. */
  socketIo?: boolean;
}

/**
 * Prometheus metrics at `/metrics`, labelled with the service name, and RED metrics for
 * every HTTP route, gRPC method and GraphQL root field of the app — and, with `socketIo`,
 * for every socket.io event, plus the connection count.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: MetricsService, useValue: new MetricsService(options.service) },
      // The HTTP application's (controllers and GraphQL resolvers): bootstrapService
      // connects the gRPC and Kafka transports without the app's interceptors.
      { provide: APP_INTERCEPTOR, useClass: RequestMetricsInterceptor },
    ];
    if (options.socketIo) providers.push(SocketMetricsGateway);
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers,
      exports: [MetricsService],
    };
  }
}
