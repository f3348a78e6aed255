/** setTimeout cannot wait longer than this (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Items that fall due at a whole second — a token's `exp` — handed to `onExpire` then,
 * with one timer for all of them instead of one per item. Items due at the same second
 * share a set, and the timer is armed for the earliest second that holds any: an open
 * socket costs a set entry (~20 bytes) rather than a `Timeout`, its closure and a map entry
 * (~0.3 KiB, bench F), and tokens issued together expire together.
 */
export class ExpirySchedule<T> {
  private readonly due = new Map<number, Set<T>>();
  private timer?: NodeJS.Timeout;
  /** The second the timer is armed for; Infinity when it is not armed. */
  private armedFor = Infinity;

  constructor(
    private readonly onExpire: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Hands `item` to `onExpire` at `expiresAt` (seconds since the epoch), or now if past. */
  add(item: T, expiresAt: number): void {
    let items = this.due.get(expiresAt);
    if (!items) {
      items = new Set();
      this.due.set(expiresAt, items);
    }
    items.add(item);
    if (expiresAt < this.armedFor) this.arm(expiresAt);
  }

  /** Forgets `item` (added with this `expiresAt`); it will not be handed over. */
  delete(item: T, expiresAt: number): void {
    const items = this.due.get(expiresAt);
    if (!items?.delete(item)) return;
    // An armed timer that finds nothing due simply re-arms for the next second.
    if (items.size === 0) this.due.delete(expiresAt);
  }

  /** Forgets everything and stops the timer. */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    this.due.clear();
  }

  private arm(expiresAt: number): void {
    clearTimeout(this.timer);
    this.armedFor = expiresAt;
    const delay = Math.min(Math.max(expiresAt * 1000 - this.now(), 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.sweep(), delay);
    this.timer.unref();
  }

  private sweep(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    const expired: Set<T>[] = [];
    let next = Infinity;
    for (const [expiresAt, items] of this.due) {
      if (expiresAt * 1000 > now) {
        next = Math.min(next, expiresAt);
        continue;
      }
      this.due.delete(expiresAt);
      expired.push(items);
    }
    // Armed before the hand-over, so an item added by `onExpire` is not lost.
    if (next !== Infinity) this.arm(next);
    for (const items of expired) items.forEach((item) => this.onExpire(item));
  }
}
