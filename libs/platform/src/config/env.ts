import { z } from 'zod';

/** Zod fragments for environment variables every service reads. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback),
  url: (fallback: string) => z.url().default(fallback),
  /** Comma-separated `host:port` list. */
  hostList: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).min(1)),
  /** Duration in seconds. */
  seconds: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  /**
   * Comma-separated browser origins (`scheme://host[:port]`, as browsers send `Origin`).
   * `*` is refused: every origin a browser may call from is named (ADR 0021).
   */
  origins: (fallback: readonly string[]) =>
    z
      .string()
      .default(fallback.join(','))
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z.string().refine(isOrigin, {
              message:
                'expected origins like https://app.example.com (scheme://host[:port]), not *',
            }),
          )
          .min(1),
      ),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
};

/**
 * Where browsers may call the services from when `CORS_ORIGINS` is not set: the gateway's
 * origin (which also serves the web client) and the web client's Vite dev server, each by
 * both local names. Deployments set their own public origins.
 */
export const DEFAULT_CORS_ORIGINS: readonly string[] = [
  'http://127.0.0.1:8080',
  'http://localhost:8080',
  'http://localhost:5173',
  'http://127.0.0.1:5173',
];

/** Variables shared by all four services. */
export const commonEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KAFKA_BROKERS: env.hostList('127.0.0.1:9092'),
  /** Consumer group; defaults to the service name. Separate stacks on one broker differ here. */
  KAFKA_GROUP_ID: z
    .string()
    .regex(/^[\w.-]{1,100}$/)
    .optional(),
  /**
   * Put before every Kafka topic name (ADR 0034), so stacks sharing one broker do not read
   * each other's events (`e2e1.`, `bench.`). Empty, the default, uses the contract's names
   * exactly: production, docker-compose and k8s leave it unset.
   */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,100}$/, 'expected up to 100 of A-Z a-z 0-9 . _ -')
    .default(''),
  /** Milliseconds the relay waits between outbox polls when nothing nudges it. */
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(500),
  /** Seconds a published outbox row is kept before it is pruned (ADR 0025); 7 days. */
  OUTBOX_RETENTION_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 86_400),
  /**
   * Seconds a processed event id is kept for deduplication (ADR 0025); 30 days. Must stay
   * well beyond the longest redelivery — for a group that lost its offsets, the topics'
   * retention — hence at least an hour.
   */
  PROCESSED_EVENTS_RETENTION_SECONDS: z.coerce
    .number()
    .int()
    .min(3_600)
    .default(30 * 86_400),
  /** Milliseconds between pruning rounds of the event tables. */
  EVENT_PRUNE_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  /** Rows one pruning DELETE removes, each batch its own short transaction. */
  EVENT_PRUNE_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1_000),
  /**
   * On SIGTERM, how long readiness reports down while the server still serves, so load
   * balancers stop routing here before the listener closes.
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(3_000),
  /**
   * After the listener closes, the longest wait for requests in flight; connections still
   * busy after it are closed.
   */
  SHUTDOWN_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /** Browser origins allowed to call the HTTP APIs (CORS) and to open a socket. */
  CORS_ORIGINS: env.origins(DEFAULT_CORS_ORIGINS),
});

/** Variables of services that verify access tokens from auth's JWKS. */
export const tokenVerificationEnvSchema = z.object({
  AUTH_JWKS_URL: env.url('http://127.0.0.1:3001/.well-known/jwks.json'),
  JWT_ISSUER: z.string().min(1).default('messenger-auth'),
  JWT_AUDIENCE: z.string().min(1).default('messenger'),
});

/**
 * The service credential of internal gRPC calls (ADR 0015), read by every service: servers
 * demand it of their callers and clients send it. Unset, a server refuses every internal
 * call (fail closed) and a client's calls are refused.
 */
export const internalCallsEnvSchema = z.object({
  /** Secret shared by the platform's services, sent as `x-internal-token`; ≥ 32 characters. */
  INTERNAL_API_TOKEN: z.string().min(32).optional(),
});

type CommonEnv = z.output<typeof commonEnvSchema>;
type TokenVerificationEnv = z.output<typeof tokenVerificationEnvSchema>;

/** The typed shape of {@link commonEnvSchema}, for a service's config `transform`. */
export function commonConfig(e: CommonEnv) {
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    shutdownDrainTimeoutMs: e.SHUTDOWN_DRAIN_TIMEOUT_MS,
    cors: { origins: e.CORS_ORIGINS },
    kafka: {
      brokers: e.KAFKA_BROKERS,
      groupId: e.KAFKA_GROUP_ID,
      topicPrefix: e.KAFKA_TOPIC_PREFIX,
      outboxPollMs: e.OUTBOX_POLL_MS,
      /** `KafkaModule`'s `retention` options. */
      retention: {
        outboxRetentionMs: e.OUTBOX_RETENTION_SECONDS * 1_000,
        processedRetentionMs: e.PROCESSED_EVENTS_RETENTION_SECONDS * 1_000,
        intervalMs: e.EVENT_PRUNE_INTERVAL_MS,
        batchSize: e.EVENT_PRUNE_BATCH_SIZE,
      },
    },
  };
}

/** The typed shape of {@link tokenVerificationEnvSchema}: `TokenVerificationModule`'s options. */
export function tokenVerificationConfig(e: TokenVerificationEnv) {
  return { jwksUrl: e.AUTH_JWKS_URL, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE };
}

/**
 * An exact browser origin: http(s), a host, an optional port, nothing after. No `*`
 * anywhere: entries are compared as they are, so a pattern would never match.
 */
function isOrigin(value: string): boolean {
  if (value.includes('*')) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/**
 * Variables of a service's Redis (`RedisModule`): where it is, and the prefix of every key
 * the service writes, so that stacks sharing one Redis (a dev stack, e2e stacks,
 * benchmarks) never share state. The prefix defaults to the service's name.
 */
export const redisEnvSchema = (service: string) =>
  z.object({
    REDIS_URL: env.url('redis://127.0.0.1:6379'),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[\w:.-]{1,64}$/)
      .default(service),
  });

/** The typed shape of {@link redisEnvSchema}. */
export function redisConfig(e: z.output<ReturnType<typeof redisEnvSchema>>) {
  return { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX };
}

/**
 * Variables of the per-caller request limits of a service's HTTP API (`RateLimitModule`,
 * ADR 0020). The defaults leave room for any client a person drives (a chat client
 * polling several lists is far from 5 requests a second) and stop a script.
 */
export const rateLimitEnvSchema = z.object({
  /** Length of the window the counts below are per, in seconds. */
  RATE_LIMIT_WINDOW: env.seconds(60),
  /** HTTP requests per authenticated user per window, across all instances. */
  RATE_LIMIT_PER_USER: z.coerce.number().int().positive().default(300),
  /** HTTP requests without a valid access token per client address per window. */
  RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().positive().default(300),
  /**
   * Behind a reverse proxy: take the client address from the last `x-forwarded-for`
   * entry, the one the proxy appended. Off by default, since a client could otherwise
   * pick its own address and escape the per-address limit.
   */
  TRUST_PROXY: env.boolean(false),
});

/** The typed shape of {@link rateLimitEnvSchema}: `RateLimitModule`'s limits. */
export function rateLimitConfig(e: z.output<typeof rateLimitEnvSchema>) {
  return {
    windowSeconds: e.RATE_LIMIT_WINDOW,
    perUser: e.RATE_LIMIT_PER_USER,
    perAddress: e.RATE_LIMIT_PER_ADDRESS,
    trustProxy: e.TRUST_PROXY,
  };
}
