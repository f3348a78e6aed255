import type { RateLimitedError } from './rate-limited.error';

/** Injection token of {@link RateLimitOptions}. */
export const RATE_LIMIT_OPTIONS = Symbol('RATE_LIMIT_OPTIONS');

/** Whose requests are counted: a verified user, or else the client's address. */
export type Caller = { kind: 'user'; userId: string } | { kind: 'address'; address: string };

/** How many requests a caller may send (`rateLimitConfig` of the service's env). */
export interface RequestLimits {
  /** Prefix of the counters' Redis keys (the service's `REDIS_KEY_PREFIX`). */
  keyPrefix: string;
  windowSeconds: number;
  perUser: number;
  perAddress: number;
}

/** Options of `RateLimitModule.forRoot`. */
export interface RateLimitOptions extends RequestLimits {
  /** Take the client address from `x-forwarded-for` (behind a trusted reverse proxy). */
  trustProxy: boolean;
  /**
   * The JSON body of a 429, for an API whose errors have another shape (GraphQL's
   * `{errors: [...]}`); the platform's `{statusCode, code, message}` otherwise.
   */
  refusalBody?: (error: RateLimitedError) => unknown;
}
