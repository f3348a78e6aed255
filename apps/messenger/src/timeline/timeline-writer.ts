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
 * moment it returns. One flush at a time per instance, so a chat is never in two
 * concurrent flushes here; across instances, the flush locks its chats' rows (in id
 * order), which queues it behind any other writer of the same chats.
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
  private running?: Promise<void>;
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
    while (this.running || this.scheduled) {
      await (this.running ?? new Promise((resolve) => setImmediate(resolve)));
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
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.drain().finally(() => {
        this.running = undefined;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      await this.flush(this.queue.splice(0, MAX_FLUSH_SIZE));
    }
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

function committed(pending: Pending, result: WriteResult): void {
  try {
    pending.onCommitted?.(result);
  } catch (error) {
    pending.reject(error);
    return;
  }
  pending.resolve(result);
}
