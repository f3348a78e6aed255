import { fullRefillMs, TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  let now: number;
  const bucket = () => new TokenBuckets({ capacity: 3, refillPerSecond: 2 }, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('grants a burst up to its capacity, then refuses with the wait for the next token', () => {
    const limiter = bucket();
    expect([1, 2, 3].map(() => limiter.take('s').allowed)).toEqual([true, true, true]);
    expect(limiter.take('s')).toEqual({ allowed: false, retryAfterMs: 500 });
  });

  it('refills continuously at the steady rate, never beyond capacity', () => {
    const limiter = bucket();
    [1, 2, 3].forEach(() => limiter.take('s'));
    now += 500; // one token back
    expect(limiter.take('s').allowed).toBe(true);
    expect(limiter.take('s').allowed).toBe(false);

    now += 60_000; // long idle: full again, but only to 3
    expect([1, 2, 3, 4].map(() => limiter.take('s').allowed)).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per key', () => {
    const limiter = bucket();
    [1, 2, 3].forEach(() => limiter.take('a'));
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('forgets buckets that have had time to fill up again', () => {
    const limiter = bucket();
    limiter.take('gone');
    now += fullRefillMs({ capacity: 3, refillPerSecond: 2 });
    limiter.take('active');
    expect(limiter.size).toBe(1);
  });
});
