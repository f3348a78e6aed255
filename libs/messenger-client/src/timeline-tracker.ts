import type { SocketApi } from '@app/contracts';

/**
 * One change of a chat's timeline, handed to `timeline` listeners exactly once and, per
 * chat, in `seq` order — whether it came as a push, as the acknowledgement of the client's
 * own send, or from `sync` after a reconnect or a gap.
 */
export type TimelineUpdate =
  | {
      chatId: string;
      seq: number;
      /** A new message (`message:new`, or the ack of this client's `message:send`). */
      source: 'message:new';
      message: SocketApi.Message;
    }
  | {
      chatId: string;
      seq: number;
      /** An edit, a delete or a reaction change, with the message as it is now. */
      source: 'message:updated';
      message: SocketApi.Message;
    }
  | {
      chatId: string;
      seq: number;
      /** Membership, a role or the title changed; `chat` is the chat as it is now. */
      source: 'chat:updated';
      chat: SocketApi.Chat;
      event: SocketApi.TimelineEvent;
    }
  | {
      chatId: string;
      seq: number;
      /** An event the client missed, replayed by `sync` (the message as it is now). */
      source: 'sync';
      event: SocketApi.TimelineEvent;
    };

/** What {@link TimelineTracker.offer} did with an update. */
export type Offered = 'delivered' | 'duplicate' | 'held';

interface TrackedChat {
  /** Every event up to this seq was delivered (a contiguous watermark). */
  seq: number;
  /** Updates above the watermark that arrived before the ones between: held back. */
  held: Map<number, TimelineUpdate>;
}

/**
 * Per chat, the highest seq up to which every event was delivered, and the updates that
 * arrived early. An update at or below the watermark is a duplicate (a push repeating what
 * `sync` returned, an ack racing its own push) and is dropped; one that skips seqs waits
 * until `sync` fills the gap. Pure bookkeeping: no socket, no timers.
 */
export class TimelineTracker {
  private readonly chats = new Map<string, TrackedChat>();

  constructor(private readonly deliver: (update: TimelineUpdate) => void) {}

  /** The chats tracked, i.e. the ones a reconnect syncs. */
  chatIds(): string[] {
    return [...this.chats.keys()];
  }

  /** The seq up to which every event of the chat was delivered; undefined if untracked. */
  watermark(chatId: string): number | undefined {
    return this.chats.get(chatId)?.seq;
  }

  /** Whether updates of the chat wait for missing seqs below them. */
  hasGap(chatId: string): boolean {
    return (this.chats.get(chatId)?.held.size ?? 0) > 0;
  }

  /** The chats that wait for missing seqs. */
  gaps(): string[] {
    return [...this.chats].filter(([, chat]) => chat.held.size > 0).map(([id]) => id);
  }

  /**
   * Starts tracking a chat whose state up to `seq` the caller holds (a `chat:list` or
   * `chat:get` snapshot). A tracked chat keeps its watermark: what lies beyond is synced.
   */
  track(chatId: string, seq: number): void {
    if (!this.chats.has(chatId)) this.chats.set(chatId, { seq, held: new Map() });
  }

  /** Stops tracking a chat (the user left it or lost it), delivering what was held. */
  forget(chatId: string): void {
    const chat = this.chats.get(chatId);
    if (!chat) return;
    this.chats.delete(chatId);
    for (const seq of [...chat.held.keys()].sort((a, b) => a - b)) {
      this.deliver(chat.held.get(seq)!);
    }
  }

  /**
   * A push or an ack. The first update of an untracked chat starts its tracking (nothing
   * before it is known to be missing); later ones are delivered in seq order, once.
   */
  offer(update: TimelineUpdate): Offered {
    const chat = this.chats.get(update.chatId);
    if (!chat) {
      this.chats.set(update.chatId, { seq: update.seq, held: new Map() });
      this.deliver(update);
      return 'delivered';
    }
    if (update.seq <= chat.seq || chat.held.has(update.seq)) return 'duplicate';
    if (update.seq > chat.seq + 1) {
      chat.held.set(update.seq, update);
      return 'held';
    }
    chat.seq = update.seq;
    this.deliver(update);
    this.release(chat);
    return 'delivered';
  }

  /**
   * The events of one chat of a `sync` answer, oldest first. They are the server's own
   * record, so they advance the watermark even across a hole; held pushes they cover are
   * dropped, the ones right after them delivered.
   */
  applySync(chatId: string, events: SocketApi.TimelineEvent[]): void {
    const chat = this.chats.get(chatId);
    if (!chat) return;
    for (const event of events) {
      if (event.seq <= chat.seq) continue;
      chat.seq = event.seq;
      chat.held.delete(event.seq);
      this.deliver({ chatId, seq: event.seq, source: 'sync', event });
    }
    this.release(chat);
  }

  private release(chat: TrackedChat): void {
    for (const seq of chat.held.keys()) if (seq <= chat.seq) chat.held.delete(seq);
    for (let next = chat.held.get(chat.seq + 1); next; next = chat.held.get(chat.seq + 1)) {
      chat.held.delete(next.seq);
      chat.seq = next.seq;
      this.deliver(next);
    }
  }
}
