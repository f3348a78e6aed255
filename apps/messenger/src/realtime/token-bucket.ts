import type { Redis } from 'ioredis';

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
 * One take from a bucket stored as a hash `{tokens, at}` (fractional tokens, milliseconds
 * of the last update). Atomic because Redis runs a script alone; the clock is Redis's
 * (`TIME`), so instances with skewed clocks still share one bucket correctly. A missing key
 * is a full bucket, and the key expires once it would be full again, so idle sockets
 * leave nothing behind.
 *
 * KEYS[1] bucket · ARGV[1] capacity · ARGV[2] refill per second · ARGV[3] TTL in ms
 * → {1 | 0, milliseconds until the next token}
 */
const TAKE_TOKEN_LUA = `
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2]) / 1000
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * perMs)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) / perMs)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {allowed, wait}
`;

/** The ioredis client once {@link RedisTokenBucket} has taught it the script. */
interface WithTakeToken {
  messengerTakeToken(
    key: string,
    capacity: number,
    refillPerSecond: number,
    ttlMs: number,
  ): Promise<[number, number]>;
}

/**
 * Token buckets in Redis, shared by every instance. The script is registered with
 * ioredis `defineCommand`, which sends it by SHA (`EVALSHA`) and falls back to `EVAL`
 * once when Redis does not know it yet (after a restart or a `SCRIPT FLUSH`).
 */
export class RedisTokenBucket {
  private readonly client: Redis & WithTakeToken;

  constructor(
    redis: Redis,
    private readonly policy: TokenBucketPolicy,
    private readonly keyPrefix: string,
  ) {
    redis.defineCommand('messengerTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN_LUA });
    this.client = redis as Redis & WithTakeToken;
  }

  async take(id: string): Promise<TokenGrant> {
    const [allowed, retryAfterMs] = await this.client.messengerTakeToken(
      `${this.keyPrefix}:${id}`,
      this.policy.capacity,
      this.policy.refillPerSecond,
      fullRefillMs(this.policy),
    );
    return { allowed: allowed === 1, retryAfterMs };
  }
}

/**
 * The same bucket in process memory, for while Redis is unreachable: limits then hold per
 * instance only. Buckets that have had time to fill up are swept, so memory stays
 * proportional to the sockets active in the last refill period.
 */
export class MemoryTokenBucket {
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
