import { DynamicModule, Global, Module, OnModuleInit } from '@nestjs/common';
import { TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { ClientBase } from 'pg';
import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import { ReadinessChecks } from '../health/readiness-checks';
import { TransactionHost } from './transaction-host';

export interface DatabaseModuleOptions {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type
  migrations: MixedList<Function | string>;
  /** Apply pending migrations at start-up (default true; see docs/adr/0006). */
  migrationsRun?: boolean;
  poolSize?: number;
}

/** Key of the advisory lock that serialises migrations of replicas starting together. */
const MIGRATION_LOCK_KEY = 0x6d696772; // "migr"

/**
 * Applies pending migrations while holding a session advisory lock, so two instances
 * starting at once do not both run them; the second finds nothing left to do.
 */
async function migrateUnderLock(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
    await runner.release();
  }
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
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            type: 'postgres' as const,
            url: options.url,
            entities: options.entities,
            migrations: options.migrations,
            migrationsRun: false,
            synchronize: false,
            logging: ['error', 'migration'] as const,
            extra: {
              max: options.poolSize ?? 10,
              // pg-pool hands a new connection to TypeORM before TypeORM listens for its
              // errors. An error read in that gap — PostgreSQL terminating the backend just
              // as it became ready — is an 'error' event nobody handles, which kills the
              // process. A listener for the connection's whole life makes it an ordinary
              // failed query (pool and TypeORM still drop the broken connection).
              onConnect: (client: ClientBase) => {
                client.on('error', () => undefined);
              },
            },
          }),
          dataSourceFactory: async (dataSourceOptions?: DataSourceOptions) => {
            const dataSource = await new DataSource(dataSourceOptions!).initialize();
            if (options.migrationsRun ?? true) await migrateUnderLock(dataSource);
            return dataSource;
          },
        }),
        DatabaseReadiness,
      ],
      providers: [TransactionHost],
      exports: [TransactionHost],
    };
  }
}
