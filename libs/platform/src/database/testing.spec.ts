import { FakeTransactionHost } from './testing';

describe('FakeTransactionHost', () => {
  it('joins nested runs to the outermost, which commits once and then runs after-commit work', async () => {
    const steps: string[] = [];
    const tx = new FakeTransactionHost((step) => steps.push(step));

    const result = await tx.run(async () => {
      await tx.run(async () => {
        tx.afterCommit(() => void steps.push('after commit'));
        steps.push('inner');
      });
      return 'done';
    });

    expect(result).toBe('done');
    expect(steps).toEqual(['begin', 'inner', 'commit', 'after commit']);
    expect(tx.commits).toBe(1);
    expect(tx.inTransaction).toBe(false);
  });

  it('rolls back on a throw: no commit, after-commit work dropped', async () => {
    const steps: string[] = [];
    const tx = new FakeTransactionHost((step) => steps.push(step));

    await expect(
      tx.run(async () => {
        tx.afterCommit(() => void steps.push('after commit'));
        throw new Error('conflict');
      }),
    ).rejects.toThrow('conflict');
    await tx.run(() => Promise.resolve());

    expect(steps).toEqual(['begin', 'begin', 'commit']);
    expect(tx.commits).toBe(1);
  });

  it('awaits asynchronous after-commit work before the run resolves', async () => {
    const steps: string[] = [];
    const tx = new FakeTransactionHost((step) => steps.push(step));

    await tx.run(async () => {
      tx.afterCommit(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        steps.push('announced');
      });
      tx.afterCommit(() => {
        steps.push('then the next');
      });
    });
    steps.push('run resolved');

    expect(steps).toEqual(['begin', 'commit', 'announced', 'then the next', 'run resolved']);
  });

  it('refuses after-commit work outside a transaction, as the real host does', () => {
    expect(() => new FakeTransactionHost().afterCommit(() => undefined)).toThrow();
  });
});
