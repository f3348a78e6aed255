import { Redis } from 'ioredis';
import { MetricsService } from '../metrics/metrics';
import { rateLimitConfig, rateLimitEnvSchema } from '../config/env';
import { RequestRateLimiter } from './request-rate-limiter';

describe('RequestRateLimiter', () => {
  // Nothing listens on port 1: every Redis command fails at once, as in an outage.
  let unreachable: Redis;

  beforeAll(() => {
    unreachable = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    });
    unreachable.on('error', () => undefined);
  });

  afterAll(() => unreachable.disconnect());

  it('keeps limiting in memory while Redis is unreachable, per kind of caller', async () => {
    const metrics = new MetricsService('spec');
    const limiter = new RequestRateLimiter(
      unreachable,
      { keyPrefix: 'spec', windowSeconds: 60, perUser: 3, perAddress: 1 },
      metrics,
    );
    const ada = { kind: 'user', userId: 'ada' } as const;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await limiter.take(ada));
    expect(answers.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(answers[3]).toBeGreaterThanOrEqual(59);
    expect(answers[3]).toBeLessThanOrEqual(60);

    // Another user, and an address, have counts of their own.
    expect(await limiter.take({ kind: 'user', userId: 'bob' })).toBeUndefined();
    expect(await limiter.take({ kind: 'address', address: '10.0.0.1' })).toBeUndefined();
    expect(await limiter.take({ kind: 'address', address: '10.0.0.1' })).toBeGreaterThan(0);

    const refused = await metrics.registry.getSingleMetricAsString(
      'http_requests_rate_limited_total',
    );
    expect(refused).toContain('{limit="user",service="spec"} 1');
    expect(refused).toContain('{limit="address",service="spec"} 1');
  });

  it('defaults to a few hundred requests a minute', () => {
    expect(rateLimitConfig(rateLimitEnvSchema.parse({}))).toEqual({
      windowSeconds: 60,
      perUser: 300,
      perAddress: 300,
      trustProxy: false,
    });
    expect(rateLimitEnvSchema.safeParse({ RATE_LIMIT_PER_USER: '0' }).success).toBe(false);
  });
});
