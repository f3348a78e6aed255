import { DynamicModule, Global, Module, OnModuleInit } from '@nestjs/common';
import { TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MixedList, EntitySchema } from 'typeorm';
import { ReadinessChecks } from '../health/readiness-checks';
import { TransactionHost } from './transaction-host';

export interface DatabaseModuleOptions {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type
  migrations: MixedList<Function | string>;
  /** Apply pending migrations at start-up (default true). */
  migrationsRun?: boolean;
  poolSize?: number;
}

/** Registers the database with the readiness endpoint. */
@Module({ imports: [TerminusModule] })
class DatabaseReadiness implements OnModuleInit {
  constructor(
    private readonly checks: ReadinessChecks,
    private readonly typeorm: TypeOrmHealthIndicator,
  ) {}

  onModuleInit(): void {
    this.checks.register('database', () => this.typeorm.pingCheck('database', { timeout: 1500 }));
  }
}

/**
 * One PostgreSQL database per service, through TypeORM with migrations
 * (`synchronize` is never on), plus the {@link TransactionHost}.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.url,
          entities: options.entities,
          migrations: options.migrations,
          migrationsRun: options.migrationsRun ?? true,
          migrationsTransactionMode: 'each',
          synchronize: false,
          logging: ['error', 'migration'],
          extra: { max: options.poolSize ?? 10 },
        }),
        DatabaseReadiness,
      ],
      providers: [TransactionHost],
      exports: [TransactionHost],
    };
  }
}
