import type { AfterCommit, TransactionHost } from './transaction-host';

/** A moment of a {@link FakeTransactionHost} transaction, as it happens. */
export type TransactionStep = 'begin' | 'commit';

/**
 * {@link TransactionHost} for unit specs, without a database, behaving as the real one
 * does: nested `run`s join the outermost; what it ran commits when the outermost resolves
 * and rolls back when it throws; after-commit callbacks run, and are awaited, after a
 * commit and are dropped on a rollback. `onStep` hears each begin and commit, so a spec
 * can order them among its other fakes' calls.
 */
export class FakeTransactionHost implements Pick<
  TransactionHost,
  'run' | 'afterCommit' | 'inTransaction'
> {
  /** How many outermost transactions have committed. */
  commits = 0;
  private depth = 0;
  private pending: AfterCommit[] = [];

  constructor(private readonly onStep: (step: TransactionStep) => void = () => undefined) {}

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return work();
    this.depth = 1;
    this.onStep('begin');
    let result: T;
    try {
      result = await work();
    } catch (error) {
      this.pending = [];
      throw error;
    } finally {
      this.depth = 0;
    }
    this.commits += 1;
    this.onStep('commit');
    const callbacks = this.pending;
    this.pending = [];
    for (const callback of callbacks) await callback();
    return result;
  }

  afterCommit(callback: AfterCommit): void {
    if (!this.inTransaction) throw new Error('afterCommit() called outside a transaction');
    this.pending.push(callback);
  }
}
