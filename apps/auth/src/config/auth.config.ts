import { commonEnvSchema, env, commonConfig, internalCallsEnvSchema } from '@app/platform';
import { z } from 'zod';

/** One OAuth2 provider (authorization code + PKCE), as configured in `OAUTH_PROVIDERS`. */
const oauthProviderSchema = z.object({
  /** Path segment of its routes: `/v1/auth/oauth/{name}`. */
  name: z.string().regex(/^[a-z0-9-]{1,32}$/),
  authorizationUrl: z.url(),
  tokenUrl: z.url(),
  userInfoUrl: z.url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scopes: z.array(z.string().min(1)).default([]),
  /** Sent as `redirect_uri` verbatim; must equal what is registered at the provider. */
  redirectUri: z.url(),
});

/** A positive whole number, e.g. a rate limit. */
const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * auth's environment. This file is the only reader of `process.env`; everything else gets
 * the typed {@link AuthConfig} through `APP_CONFIG`.
 */
export const authConfigSchema = commonEnvSchema
  .extend(internalCallsEnvSchema.shape)
  .extend({
    HTTP_PORT: env.port(3001),
    GRPC_PORT: env.port(50051),
    /**
     * Interface the gRPC server binds to: all of them, since end users call Register and
     * Login here (ValidateToken is internal by credential, not by address).
     */
    GRPC_HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/auth'),
    /** `host:port` of profile's gRPC server (nickname reservations of the registration saga). */
    PROFILE_GRPC_URL: z
      .string()
      .regex(/^[^\s:]+:\d+$/, 'expected host:port')
      .default('127.0.0.1:50052'),
    /** Deadline of every outgoing gRPC call, in milliseconds. */
    GRPC_DEADLINE_MS: z.coerce.number().int().min(50).default(3000),
    /**
     * Milliseconds the circuit breaker on calls to profile stays open before it lets one
     * trial call through (half-open); a success closes it, a failure opens it again.
     */
    PROFILE_BREAKER_RESET_MS: z.coerce.number().int().min(100).default(10_000),
    /**
     * Seconds after which a registration still unfinished is taken for dead (its process
     * crashed mid-saga): the sweeper abandons it and releases its nickname (ADR 0026). Far
     * above the longest a live registration takes, which must exceed the gRPC deadline.
     */
    REGISTRATION_SWEEP_AFTER: env.seconds(300),
    /** Seconds between the registration sweeper's runs (each instance runs it). */
    REGISTRATION_SWEEP_INTERVAL: env.seconds(60),
    JWT_ISSUER: z.string().min(1).default('messenger-auth'),
    JWT_AUDIENCE: z.string().min(1).default('messenger'),
    /** Lifetime of access tokens, in seconds. */
    ACCESS_TOKEN_TTL: env.seconds(900),
    /** Lifetime of a refresh token, in seconds (each rotation starts a new one). */
    REFRESH_TOKEN_TTL: env.seconds(30 * 24 * 3600),
    /** Longest a session (refresh-token family) lives from its login, however often rotated. */
    REFRESH_TOKEN_ABSOLUTE_TTL: env.seconds(90 * 24 * 3600),
    /**
     * Seconds between automatic signing-key rotations (0 turns them off). Checked every
     * minute by each instance; one of them rotates, under a database lock.
     */
    KEY_ROTATION_INTERVAL: z.coerce
      .number()
      .int()
      .min(0)
      .default(30 * 24 * 3600),
    /**
     * Seconds a new key is published in the JWKS before it signs: longer than verifiers
     * cache the JWKS (max-age 300 s), so none meets a `kid` it cannot resolve.
     */
    KEY_PUBLISH_LEAD: z.coerce.number().int().min(0).default(600),
    /** Redis of the rate-limit counters (shared by every auth instance). */
    REDIS_URL: env.url('redis://127.0.0.1:6379'),
    /** Prefix of auth's Redis keys (counters, OAuth state); stacks sharing a Redis differ here. */
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[\w:.-]{1,64}$/)
      .default('auth'),
    /** Length of a rate-limit window, in seconds. */
    RATE_LIMIT_WINDOW: env.seconds(900),
    /** Failed logins per account (email) per window before it answers 429. */
    LOGIN_MAX_FAILURES_PER_ACCOUNT: count(10),
    /** Failed logins per client address per window. */
    LOGIN_MAX_FAILURES_PER_ADDRESS: count(100),
    /** Registration attempts per email per window. */
    REGISTER_MAX_PER_ACCOUNT: count(5),
    /** Registration attempts per client address per window. */
    REGISTER_MAX_PER_ADDRESS: count(20),
    /**
     * Behind a reverse proxy: take the client address from the last `x-forwarded-for`
     * entry (HTTP header or gRPC metadata) — the one the proxy appended. Off by default,
     * since a client could otherwise pick its own address and escape per-address limits.
     */
    TRUST_PROXY: env.boolean(false),
    /**
     * OAuth2 providers, a JSON array of `{name, authorizationUrl, tokenUrl, userInfoUrl,
     * clientId, clientSecret, scopes, redirectUri}`; empty: no OAuth login.
     */
    OAUTH_PROVIDERS: z
      .string()
      .default('[]')
      .transform((value, ctx) => {
        try {
          return JSON.parse(value) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'expected a JSON array' });
          return z.NEVER;
        }
      })
      .pipe(z.array(oauthProviderSchema)),
    /** argon2id memory in KiB; OWASP's minimum is the floor. Raising it rehashes at login. */
    ARGON2_MEMORY_KIB: z.coerce.number().int().min(19456).default(19456),
    /** argon2id passes (OWASP minimum 2). */
    ARGON2_TIME_COST: z.coerce.number().int().min(2).default(2),
    /** argon2id lanes (OWASP minimum 1). */
    ARGON2_PARALLELISM: z.coerce.number().int().min(1).max(16).default(1),
  })
  .refine((e) => e.REGISTRATION_SWEEP_AFTER * 1000 > e.GRPC_DEADLINE_MS, {
    path: ['REGISTRATION_SWEEP_AFTER'],
    message: 'must be longer than GRPC_DEADLINE_MS, or live registrations would be abandoned',
  })
  .transform((e) => ({
    ...commonConfig(e),
    http: { port: e.HTTP_PORT },
    grpc: { port: e.GRPC_PORT, url: `${e.GRPC_HOST}:${e.GRPC_PORT}` },
    database: { url: e.DATABASE_URL },
    profile: { grpcUrl: e.PROFILE_GRPC_URL },
    grpcDeadlineMs: e.GRPC_DEADLINE_MS,
    profileBreaker: { resetMs: e.PROFILE_BREAKER_RESET_MS },
    registrationSweep: {
      afterSeconds: e.REGISTRATION_SWEEP_AFTER,
      intervalSeconds: e.REGISTRATION_SWEEP_INTERVAL,
    },
    passwords: {
      memoryCost: e.ARGON2_MEMORY_KIB,
      timeCost: e.ARGON2_TIME_COST,
      parallelism: e.ARGON2_PARALLELISM,
    },
    rateLimits: {
      windowSeconds: e.RATE_LIMIT_WINDOW,
      loginFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginFailuresPerAddress: e.LOGIN_MAX_FAILURES_PER_ADDRESS,
      registerPerAccount: e.REGISTER_MAX_PER_ACCOUNT,
      registerPerAddress: e.REGISTER_MAX_PER_ADDRESS,
    },
    redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX },
    trustProxy: e.TRUST_PROXY,
    /** The service credential: ValidateToken demands it, calls to profile carry it. */
    internalApiToken: e.INTERNAL_API_TOKEN,
    oauth: { providers: e.OAUTH_PROVIDERS, stateTtlSeconds: 600 },
    tokens: {
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTtlSeconds: e.ACCESS_TOKEN_TTL,
      refreshTtlSeconds: e.REFRESH_TOKEN_TTL,
      refreshAbsoluteTtlSeconds: e.REFRESH_TOKEN_ABSOLUTE_TTL,
    },
    signingKeys: {
      rotationIntervalSeconds: e.KEY_ROTATION_INTERVAL,
      publishLeadSeconds: e.KEY_PUBLISH_LEAD,
    },
  }));

/** auth's typed configuration, built once at boot. */
export type AuthConfig = z.output<typeof authConfigSchema>;
