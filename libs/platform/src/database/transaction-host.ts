import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Work to do once a transaction has committed. A promise it returns is awaited before the
 * transaction's `run` resolves, in registration order; it must not reject (the commit is
 * done and cannot be taken back), so a callback handles its own failures.
 */
export type AfterCommit = () => void | Promise<void>;

interface TransactionContext {
  manager: EntityManager;
  afterCommit: AfterCommit[];
}

/**
 * Carries the current database transaction through async calls, so services can group
 * repository writes and outbox events into one commit without ever touching TypeORM:
 *
 * ```ts
 * await this.tx.run(async () => {
 *   await this.users.insert(user);
 *   await this.events.publish(Topics.UserRegistered, payload, { key: user.id });
 * });
 * ```
 * Repositories read {@link manager}; nested `run` calls join the outer transaction.
 */
@Injectable()
export class TransactionHost {
  private readonly storage = new AsyncLocalStorage<TransactionContext>();

  constructor(private readonly dataSource: DataSource) {}

  /** The transaction's entity manager inside {@link run}, the pool's outside it. */
  get manager(): EntityManager {
    return this.storage.getStore()?.manager ?? this.dataSource.manager;
  }

  get inTransaction(): boolean {
    return this.storage.getStore() !== undefined;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.storage.getStore()) return work();
    const context: TransactionContext = { manager: this.dataSource.manager, afterCommit: [] };
    const result = await this.dataSource.transaction((manager) => {
      context.manager = manager;
      return this.storage.run(context, work);
    });
    for (const callback of context.afterCommit) await callback();
    return result;
  }

  /**
   * Runs `callback` once the current transaction commits (never if it rolls back), before
   * the outermost `run` resolves: what a callback does happens before the caller hears
   * back.
   */
  afterCommit(callback: AfterCommit): void {
    const context = this.storage.getStore();
    if (!context) throw new Error('afterCommit() called outside a transaction');
    context.afterCommit.push(callback);
  }
}
