// Load generators shared by the cases: a closed-loop runner (N workers, each sending its
// next operation when the previous one finished — measures throughput), an open-loop
// scheduler (operations started at a fixed rate whatever the replies do — measures
// latency without coordinated omission), and an autocannon wrapper for HTTP.
// All of them are bounded in time and stop early when the case's signal aborts.

import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { percentile } from './stats';

/**
 * Latencies of one measurement, in milliseconds. An array, not an HDR histogram: a round
 * records at most a few hundred thousand samples, and exact percentiles keep small
 * differences between product and baseline visible.
 */
export class LatencyRecorder {
  samples: number[] = [];

  record(ms: number): void {
    this.samples.push(ms);
  }

  /** @param p percentile, 0–100 */
  percentile(p: number): number {
    return percentile(this.samples, p);
  }

  /** p50, p90, p99 and max, in ms. */
  summary(): LatencySummary {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
    return { count: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: at(100) };
  }
}

/** p50, p90, p99 and max of a latency recording, in ms. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Closed loop: `concurrency` workers call `operation(workerIndex)` back to back for
 * `durationMs`. Counts completed operations and errors, records latencies.
 */
export async function closedLoop(
  operation: (worker: number) => Promise<unknown>,
  {
    concurrency,
    durationMs,
    signal,
  }: { concurrency: number; durationMs: number; signal?: AbortSignal },
): Promise<{
  ops: number;
  errors: number;
  elapsedSec: number;
  opsPerSec: number;
  latency: LatencyRecorder;
  firstError?: unknown;
}> {
  const latency = new LatencyRecorder();
  let ops = 0;
  let errors = 0;
  let firstError: unknown;
  const started = performance.now();
  const end = started + durationMs;
  const worker = async (index: number) => {
    while (performance.now() < end && !signal?.aborted) {
      const t0 = performance.now();
      try {
        await operation(index);
        latency.record(performance.now() - t0);
        ops++;
      } catch (error) {
        errors++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  const elapsedSec = (performance.now() - started) / 1000;
  return { ops, errors, elapsedSec, opsPerSec: ops / elapsedSec, latency, firstError };
}

/**
 * Open loop: starts `operation(i)` at `ratePerSec` for `durationMs`, on schedule even if
 * earlier ones have not finished, and measures each latency from its *scheduled* start —
 * so a stall shows up in the percentiles instead of silently slowing the sender.
 * Waits up to `drainMs` for stragglers after the last start; those still pending count
 * as `timedOut`.
 */
export async function openLoop(
  operation: (i: number) => Promise<unknown>,
  {
    ratePerSec,
    durationMs,
    drainMs = 5000,
    signal,
  }: { ratePerSec: number; durationMs: number; drainMs?: number; signal?: AbortSignal },
) {
  const latency = new LatencyRecorder();
  const total = Math.floor((ratePerSec * durationMs) / 1000);
  const intervalMs = 1000 / ratePerSec;
  let completed = 0;
  let errors = 0;
  let firstError: unknown;
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  for (let i = 0; i < total && !signal?.aborted; i++) {
    const scheduled = started + i * intervalMs;
    const wait = scheduled - performance.now();
    // Timers have ~1 ms resolution: sleep only when ahead, then start everything that is due.
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const promise = operation(i).then(
      () => {
        latency.record(performance.now() - scheduled);
        completed++;
      },
      (error: unknown) => {
        errors++;
        firstError ??= error;
      },
    );
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
  }
  const sendSec = (performance.now() - started) / 1000;
  await Promise.race([
    Promise.all(pending),
    new Promise((resolve) => setTimeout(resolve, drainMs).unref()),
  ]);
  return {
    scheduled: total,
    completed,
    errors,
    timedOut: pending.size,
    sendSec,
    achievedRate: completed / sendSec,
    latency,
    firstError,
  };
}

/**
 * One autocannon run against 127.0.0.1. Returns requests/s (2xx only), latency
 * percentiles in ms and error counts; throws if most responses were not 2xx (a broken
 * setup must not pass as a fast one).
 */
export async function httpLoad({
  signal,
  ...options
}: autocannon.Options & { signal?: AbortSignal }) {
  const instance = autocannon({ connections: 32, duration: 5, ...options });
  const stop = () => instance.stop();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const result = await instance;
    const ok = result['2xx'];
    const bad = result.non2xx + result.errors + result.timeouts;
    if (ok === 0 || bad > ok / 100) {
      throw new Error(
        `HTTP load on ${options.url}: ${ok} 2xx, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
      );
    }
    return {
      reqPerSec: ok / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      requests: ok,
      durationSec: result.duration,
    };
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}
