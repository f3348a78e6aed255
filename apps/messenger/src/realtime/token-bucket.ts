/** A bucket holds up to `capacity` tokens and regains `refillPerSecond` of them every second. */
export interface TokenBucketPolicy {
  capacity: number;
  refillPerSecond: number;
}

/** The outcome of one `take`: whether a token was granted and, if not, when one will be. */
export interface TokenGrant {
  allowed: boolean;
  /** Milliseconds until the next token; 0 when allowed. */
  retryAfterMs: number;
}

/** How long an untouched bucket takes to fill up again: after that its state is worthless. */
export const fullRefillMs = (policy: TokenBucketPolicy): number =>
  Math.ceil((policy.capacity * 1000) / policy.refillPerSecond);

/**
 * Token buckets in process memory, one per id, each holding up to `capacity` fractional
 * tokens refilled continuously. A missing bucket is a full one, and buckets that have had
 * time to fill up again are swept, so memory stays proportional to the ids active in the
 * last refill period and idle ids cost nothing.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep: number;

  constructor(
    private readonly policy: TokenBucketPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = this.now();
  }

  take(id: string): TokenGrant {
    const now = this.now();
    this.sweep(now);
    const { capacity, refillPerSecond } = this.policy;
    const perMs = refillPerSecond / 1000;
    const bucket = this.buckets.get(id) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
    bucket.at = now;
    this.buckets.set(id, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterMs: 0 };
    }
    return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / perMs) };
  }

  /** How many buckets are held (for tests of the sweep). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    const idleMs = fullRefillMs(this.policy);
    if (now - this.lastSweep < idleMs) return;
    this.lastSweep = now;
    for (const [id, bucket] of this.buckets) {
      if (now - bucket.at >= idleMs) this.buckets.delete(id);
    }
  }
}
