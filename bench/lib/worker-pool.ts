// Load-generator processes that take orders over IPC and answer each one, so the load
// comes from processes of its own (counted as the load generator, not as the server).

import { type ChildProcess, fork } from 'node:child_process';
import { TS_NODE_FLAGS } from './child';

/** What a worker sends its parent: ready once, then one answer per order. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'failed'; id: number; error: string };

/** `Omit` over each member of a union (the plain one would merge the members). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Ends a child process: SIGTERM, then SIGKILL if it is still there after 10 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** `count` forks of one worker script, each answering one order at a time. */
export class WorkerPool<Order extends { id: number }> {
  #children: ChildProcess[] = [];
  #nextId = 0;
  #pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly label: string) {}

  /** Starts the workers and resolves once every one has said it is ready. */
  static async start<Order extends { id: number }>(
    count: number,
    script: string,
    { label, execArgv = [] }: { label: string; execArgv?: string[] },
  ): Promise<WorkerPool<Order>> {
    const pool = new WorkerPool<Order>(label);
    await Promise.all(Array.from({ length: count }, () => pool.#spawn(script, execArgv)));
    return pool;
  }

  get size(): number {
    return this.#children.length;
  }

  get pids(): number[] {
    return this.#children.map((c) => c.pid as number);
  }

  async #spawn(script: string, execArgv: string[]): Promise<void> {
    const child = fork(script, [], {
      execArgv: [...TS_NODE_FLAGS, ...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#children.push(child);
    await new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${this.label} exited (${code})`)));
      child.on('message', (received: unknown) => {
        // The workers send WorkerReplies only.
        const message = received as WorkerReply | undefined;
        if (message?.type === 'ready') return resolve(undefined);
        if (!message) return;
        const waiter = this.#pending.get(message.id);
        if (!waiter) return;
        this.#pending.delete(message.id);
        if (message.type === 'done') waiter.resolve(message.result);
        else waiter.reject(new Error(`${this.label}: ${message.error}`));
      });
    });
    child.on('exit', (code) => {
      for (const [id, waiter] of this.#pending) {
        waiter.reject(new Error(`${this.label} exited (${code}) during order ${id}`));
      }
      this.#pending.clear();
    });
  }

  /** Sends one order to worker `index`; resolves its result (of the type it answers with). */
  call<T>(index: number, order: DistributiveOmit<Order, 'id'>): Promise<T> {
    const id = ++this.#nextId;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#children[index].send({ ...order, id });
    });
  }

  /** Sends `orders[i]` to worker i and resolves their results. */
  all<T>(orders: DistributiveOmit<Order, 'id'>[]): Promise<T[]> {
    return Promise.all(this.#children.map((_, i) => this.call<T>(i, orders[i])));
  }

  /** Ends the worker processes. */
  async stop(): Promise<void> {
    await Promise.all(this.#children.map((child) => stopChild(child)));
    this.#children = [];
  }
}
