import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { producerOf, Topics } from '@app/contracts';
import { OutboxRelay } from '@app/kafka';
import { eventTraceHeaders } from '@app/platform';
import { randomUUID } from 'node:crypto';
import {
  FlushEntry,
  TimelineFlushRepository,
  TimelineWrite,
  WriteResult,
} from './timeline-flush.repository';

/** The most writes one flush takes; more wait for the next (a bounded statement). */
export const MAX_FLUSH_SIZE = 500;
/**
 * Flushes one instance runs at once, on chats no other of them holds: the database applies
 * one batch while this process pushes and acknowledges the one before.
 */
export const MAX_CONCURRENT_FLUSHES = 2;
/**
 * Queued writes (of chats no flush in flight holds) it takes to start a second flush while
 * one is in flight; fewer wait for the first to return. A flush costs the same fixed work
 * (a round trip, a commit, a WAL flush) whatever its size, so a second flush of a handful
 * of writes would cost more than the wait it saves.
 */
export const MIN_OVERLAPPING_FLUSH = 32;

const PRODUCER = producerOf(Topics.MessageSent);

/**
 * Called with a write's result the moment its flush has committed, synchronously and in
 * queue order, before any awaiting code resumes: where the push of a change goes, so a
 * chat's pushes leave in seq order by construction (not by every caller resuming in the
 * same number of microtask turns).
 */
export type OnCommitted = (result: WriteResult) => void;

interface Pending {
  entry: FlushEntry;
  onCommitted?: OnCommitted;
  resolve: (result: WriteResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit of timeline writes (docs/adr/0032). Writes that passed validation, the
 * rate bucket and the permission check queue here; a flush takes everything queued —
 * across chats — to the database in one statement and one transaction, and resolves each
 * write once that transaction has committed, so acks and pushes always follow the commit.
 *
 * Flushing adapts to load without a timer: an idle writer flushes on the next turn of the
 * event loop (`setImmediate`: the writes that arrived in the same I/O turn go together);
 * while a flush is in flight, new writes accumulate and the next flush takes them all the
 * moment it returns — or, once {@link MIN_OVERLAPPING_FLUSH} writes of other chats have
 * queued, a second flush takes those at once (at most {@link MAX_CONCURRENT_FLUSHES} in
 * flight). A flush takes, in queue order, the queued writes whose chat no flush in flight
 * holds and leaves the others queued, in order; so a chat is never in two concurrent
 * flushes here, and its flushes commit, and push, one after the other. Across instances,
 * the flush locks its chats' rows (in id order), which queues it behind any other writer
 * of the same chats.
 *
 * A flush that fails as a whole (a deadlock with another instance, a `clientMessageId`
 * taken by a concurrent send to another chat, the database gone) has applied nothing; its
 * writes are retried one by one, so a failure fails only the writes that fail alone.
 */
@Injectable()
export class TimelineWriter implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TimelineWriter.name);
  private queue: Pending[] = [];
  private scheduled = false;
  /** Flushes in flight. */
  private running = 0;
  /** The chats of the flushes in flight: their writes wait in the queue. */
  private readonly busyChats = new Set<string>();
  /** Resolved when a flush ends (for shutdown). */
  private flushEnded?: { promise: Promise<void>; resolve: () => void };
  private relay?: OutboxRelay;

  constructor(
    private readonly flushes: TimelineFlushRepository,
    private readonly modules: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    // The relay polls on its own; a nudge after each flush only makes events leave sooner.
    // libs/kafka keeps it internal to its module, hence the non-strict lookup.
    try {
      this.relay = this.modules.get(OutboxRelay, { strict: false });
    } catch {
      this.logger.warn('No outbox relay to nudge: events leave at its next poll');
    }
  }

  /** Lets the writes already queued commit before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    while (this.running > 0 || this.scheduled) {
      if (this.running > 0) {
        this.flushEnded ??= withResolvers();
        await this.flushEnded.promise;
      } else {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  /**
   * Queues `write` for the next flush; resolves its {@link WriteResult} once committed,
   * after calling `onCommitted` with it (see {@link OnCommitted}; an exception there is
   * the write's error). Must be called in the request's context: the event records its
   * trace.
   */
  write(write: TimelineWrite, onCommitted?: OnCommitted): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      const entry: FlushEntry = { ...write, eventId: randomUUID(), headers: eventTraceHeaders() };
      this.queue.push({ entry, onCommitted, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running >= MAX_CONCURRENT_FLUSHES) return;
    // With a flush in flight, a second one waits until it would be worth its fixed cost.
    if (this.running > 0 && this.queue.length < MIN_OVERLAPPING_FLUSH) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startFlush(this.running > 0 ? MIN_OVERLAPPING_FLUSH : 1);
    });
  }

  /**
   * Starts a flush of the writes queued for chats no flush in flight holds, if there are
   * at least `min` of them.
   */
  private startFlush(min: number): void {
    if (this.running >= MAX_CONCURRENT_FLUSHES) return;
    const batch = this.take(min);
    if (batch.length === 0) return;
    const chats = new Set(batch.map((p) => p.entry.chatId));
    for (const chatId of chats) this.busyChats.add(chatId);
    this.running += 1;
    void this.flush(batch)
      // flush answers every write itself; anything reaching here is a bug, not a write's error.
      .catch((error: unknown) => this.logger.error({ err: error }, 'Timeline flush broke'))
      .finally(() => {
        for (const chatId of chats) this.busyChats.delete(chatId);
        this.running -= 1;
        const ended = this.flushEnded;
        this.flushEnded = undefined;
        ended?.resolve();
        // What queued meanwhile goes the moment a slot frees: it has waited a flush already.
        if (this.queue.length > 0) this.startFlush(1);
        if (this.queue.length > 0) this.schedule();
      });
  }

  /**
   * The queued writes, in queue order, of chats no flush in flight holds (at most
   * MAX_FLUSH_SIZE), or none if fewer than `min`; the others stay queued, in order.
   */
  private take(min: number): Pending[] {
    if (this.busyChats.size === 0) {
      return this.queue.length >= min ? this.queue.splice(0, MAX_FLUSH_SIZE) : [];
    }
    const batch: Pending[] = [];
    const left: Pending[] = [];
    for (const pending of this.queue) {
      if (batch.length < MAX_FLUSH_SIZE && !this.busyChats.has(pending.entry.chatId)) {
        batch.push(pending);
      } else {
        left.push(pending);
      }
    }
    if (batch.length < min) return [];
    this.queue = left;
    return batch;
  }

  private async flush(batch: Pending[]): Promise<void> {
    let results: WriteResult[];
    try {
      results = await this.flushes.flush(
        batch.map((p) => p.entry),
        new Date().toISOString(),
        PRODUCER,
      );
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      this.logger.warn(
        { err: error, writes: batch.length },
        'Timeline flush failed as a whole; retrying its writes one by one',
      );
      for (const pending of batch) await this.flush([pending]);
      return;
    }
    this.relay?.nudge();
    // In queue order and in this one synchronous loop: a chat's writes push in seq order,
    // whatever their callers do once resumed.
    batch.forEach((pending, i) => committed(pending, results[i]));
  }
}

function withResolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function committed(pending: Pending, result: WriteResult): void {
  try {
    pending.onCommitted?.(result);
  } catch (error) {
    pending.reject(error);
    return;
  }
  pending.resolve(result);
}
