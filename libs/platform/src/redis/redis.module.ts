import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ReadinessChecks } from '../health/readiness-checks';
import { RedisConnections, type RedisModuleOptions } from './redis-connections';
import { RedisHealthIndicator } from './redis-health.indicator';

/** Injection token of the service's shared ioredis client (see {@link RedisConnections}). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** Registers Redis with `/health/ready` and closes every connection on shutdown. */
@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(RedisConnections) private readonly connections: RedisConnections,
    private readonly readiness: ReadinessChecks,
    private readonly health: RedisHealthIndicator,
  ) {}

  onModuleInit(): void {
    this.readiness.register('redis', () => this.health.check(this.connections.shared));
  }

  // After the HTTP and socket.io servers have closed (Nest disposes them first).
  async onApplicationShutdown(): Promise<void> {
    await this.connections.close();
  }
}

/**
 * A service's Redis, the only place its connections are made: the shared client as
 * {@link REDIS_CLIENT}, dedicated pub/sub connections through {@link RedisConnections},
 * one `redis` readiness check, every connection closed at shutdown.
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(options: RedisModuleOptions): DynamicModule {
    return {
      module: RedisModule,
      imports: [TerminusModule],
      providers: [
        { provide: RedisConnections, useFactory: () => new RedisConnections(options) },
        {
          provide: REDIS_CLIENT,
          inject: [RedisConnections],
          useFactory: (connections: RedisConnections) => connections.shared,
        },
        RedisHealthIndicator,
        RedisLifecycle,
      ],
      exports: [REDIS_CLIENT, RedisConnections],
    };
  }
}
