import type { Topic } from '@app/contracts';

/**
 * Which e2e stack this is (0–9, `E2E_INSTANCE`, default 0). Stacks of different instances
 * use their own ports, databases, consumer groups, Kafka topics and build folder, so
 * several suites can run side by side on one machine and broker.
 */
export const E2E_INSTANCE = Number(process.env.E2E_INSTANCE ?? 0);
if (!Number.isInteger(E2E_INSTANCE) || E2E_INSTANCE < 0 || E2E_INSTANCE > 9) {
  throw new Error(`E2E_INSTANCE must be 0–9, got ${process.env.E2E_INSTANCE}`);
}
const offset = E2E_INSTANCE * 100;
const suffix = E2E_INSTANCE === 0 ? '' : `_${E2E_INSTANCE}`;

/**
 * This stack's Kafka topic prefix (`KAFKA_TOPIC_PREFIX`, ADR 0034): its services produce
 * and consume `e2e<instance>.<topic>`, so they never replay the events of another stack
 * (another instance, the bench, `npm run up`) on the same broker.
 */
export const E2E_TOPIC_PREFIX = `e2e${E2E_INSTANCE}.`;

/**
 * The broker's name of a contract topic in this stack, for specs that produce or consume
 * with their own kafkajs clients: `topic(Topics.UserRegistered)` →
 * `e2e1.auth.user.registered.v1`.
 */
export const topic = (name: Topic): string => `${E2E_TOPIC_PREFIX}${name}`;

/**
 * The contract's name of one of this stack's topics (the inverse of {@link topic}), for
 * recorders that file records by contract topic.
 */
export function logicalTopic(physical: string): Topic {
  if (!physical.startsWith(E2E_TOPIC_PREFIX)) {
    throw new Error(`${physical} is not a topic of e2e stack ${E2E_INSTANCE}`);
  }
  return physical.slice(E2E_TOPIC_PREFIX.length) as Topic;
}

/** Name of a service's database in this e2e run (the name always says "test"). */
export const testDatabase = (service: string): string => `${service}_test${suffix}`;

/**
 * Where the e2e stack listens. The suite runs its own copy of each service on ports
 * apart from the defaults, against `<svc>_test` databases, so it never touches a stack
 * started by `npm run up`.
 */
export const stack = {
  auth: { http: `http://127.0.0.1:${13001 + offset}`, grpc: `127.0.0.1:${15051 + offset}` },
  profile: { http: `http://127.0.0.1:${13002 + offset}`, grpc: `127.0.0.1:${15052 + offset}` },
  friends: { http: `http://127.0.0.1:${13003 + offset}`, grpc: `127.0.0.1:${15053 + offset}` },
  messenger: { http: `http://127.0.0.1:${13004 + offset}` },
  /** The OAuth2 authorization server auth's OAuth spec starts on loopback. */
  oauthProvider: { http: `http://127.0.0.1:${13090 + offset}` },
} as const;

export type ServiceName = Exclude<keyof typeof stack, 'oauthProvider'>;

/**
 * The OTLP/HTTP receiver the tracing spec runs in its own process. Every service of the
 * stack exports its spans there; while no spec listens, exports fail and are dropped,
 * which tracing tolerates by design.
 */
export const otlpReceiver = { http: `http://127.0.0.1:${13095 + offset}` } as const;

const port = (url: string): string => url.slice(url.lastIndexOf(':') + 1);

/**
 * The service credential of this stack (`INTERNAL_API_TOKEN`, `x-internal-token`): every
 * service gets it, and test clients send it to internal RPCs by default (see `grpcClient`
 * and `authClient`).
 */
export const E2E_INTERNAL_API_TOKEN = `e2e-internal-token-of-stack-${E2E_INSTANCE}-0123456789abcdef`;

/**
 * auth's abuse limits in the e2e run: per-account limits as in production (every test
 * uses fresh emails), per-address limits that the whole suite — always 127.0.0.1 — stays
 * under, except failed logins, which the rate-limit spec trips from its own
 * `x-forwarded-for` addresses (trusted here, as behind a proxy). Own Redis key prefix, so
 * stacks sharing one Redis never share counters.
 */
const authEnv = {
  TRUST_PROXY: 'true',
  REDIS_KEY_PREFIX: `auth-e2e${suffix}`,
  RATE_LIMIT_WINDOW: '60',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '5',
  LOGIN_MAX_FAILURES_PER_ADDRESS: '30',
  REGISTER_MAX_PER_ACCOUNT: '5',
  REGISTER_MAX_PER_ADDRESS: '100000',
  OAUTH_PROVIDERS: JSON.stringify([
    {
      name: 'mock',
      authorizationUrl: `${stack.oauthProvider.http}/authorize`,
      tokenUrl: `${stack.oauthProvider.http}/token`,
      userInfoUrl: `${stack.oauthProvider.http}/userinfo`,
      clientId: 'messenger-e2e',
      clientSecret: 'messenger-e2e-secret',
      scopes: ['openid', 'email', 'profile'],
      redirectUri: `${stack.auth.http}/v1/auth/oauth/mock/callback`,
    },
  ]),
};

/**
 * Per-user request limits of friends' REST and profile's GraphQL in the e2e run
 * (`RateLimitModule`): low enough that `test/e2e/request-rate-limits.e2e-spec.ts` trips
 * them in about a second, far above what any other spec's users send in a minute (each
 * spec uses fresh users). Requests without a valid token count per address, and the
 * whole suite shares 127.0.0.1, so that limit is higher; the spec trips it from its own
 * `x-forwarded-for` addresses (trusted here, as behind a proxy). Own Redis key prefix per
 * stack, as for auth.
 */
export const E2E_REQUEST_LIMITS = { perUser: 100, perAddress: 300 } as const;

const requestLimitEnv = (service: 'friends' | 'profile') => ({
  REDIS_KEY_PREFIX: `${service}-e2e${suffix}`,
  RATE_LIMIT_WINDOW: '60',
  RATE_LIMIT_PER_USER: String(E2E_REQUEST_LIMITS.perUser),
  RATE_LIMIT_PER_ADDRESS: String(E2E_REQUEST_LIMITS.perAddress),
  TRUST_PROXY: 'true',
});

/**
 * Pruning of the event tables in the e2e run (ADR 0025): rounds every half second, so
 * `test/e2e/event-retention.e2e-spec.ts` sees rows go within seconds of ageing them, and a
 * retention of an hour, which no row of a suite run reaches unless a spec ages it.
 */
export const E2E_EVENT_RETENTION = { intervalMs: 500, retentionSeconds: 3_600 } as const;

/** The environment each service process gets in the e2e run. */
export function serviceEnv(service: ServiceName): Record<string, string> {
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    // The platform's default origins (DEFAULT_CORS_ORIGINS: the gateway of `npm run up`,
    // the web dev server) and this stack's own gateway (support/gateway.ts, 18080 + 100 ×
    // instance), through which browsers reach the e2e stack.
    CORS_ORIGINS: [
      'http://127.0.0.1:8080',
      'http://localhost:8080',
      'http://localhost:5173',
      'http://127.0.0.1:5173',
      `http://127.0.0.1:${18080 + offset}`,
      `http://localhost:${18080 + offset}`,
    ].join(','),
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    // Its own topics, so it neither replays nor feeds the events of other stacks.
    KAFKA_TOPIC_PREFIX: E2E_TOPIC_PREFIX,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    OUTBOX_POLL_MS: '200',
    EVENT_PRUNE_INTERVAL_MS: String(E2E_EVENT_RETENTION.intervalMs),
    OUTBOX_RETENTION_SECONDS: String(E2E_EVENT_RETENTION.retentionSeconds),
    PROCESSED_EVENTS_RETENTION_SECONDS: String(E2E_EVENT_RETENTION.retentionSeconds),
    // Tracing on, as in docker-compose, exporting to the tracing spec's receiver; short
    // batch delay so a trace arrives while the spec waits for it.
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpReceiver.http,
    OTEL_BSP_SCHEDULE_DELAY: '200',
    // Its own consumer groups, so a stack from `npm run up` on the same broker takes no share.
    KAFKA_GROUP_ID: `${service}-e2e${suffix}`,
    // Servers demand it of internal callers, clients (auth -> profile, messenger -> friends)
    // send it. GRPC_HOST stays at its default: profile and friends listen on loopback.
    INTERNAL_API_TOKEN: E2E_INTERNAL_API_TOKEN,
    AUTH_JWKS_URL: `${stack.auth.http}/.well-known/jwks.json`,
    PROFILE_GRPC_URL: stack.profile.grpc,
    FRIENDS_GRPC_URL: stack.friends.grpc,
    DATABASE_URL: `${process.env.DATABASE_ADMIN_URL?.replace(/\/[^/]*$/, '') ?? 'postgres://postgres@127.0.0.1:5432'}/${testDatabase(service)}`,
    HTTP_PORT: port(stack[service].http),
  };
  const withGrpc =
    'grpc' in stack[service]
      ? { ...common, GRPC_PORT: port((stack[service] as { grpc: string }).grpc) }
      : common;
  if (service === 'auth') return { ...withGrpc, ...authEnv };
  if (service === 'friends' || service === 'profile') {
    return { ...withGrpc, ...requestLimitEnv(service) };
  }
  // Sweeps for users of dead instances often, so a spec sees them announced offline soon.
  // Its own Redis prefix: the socket.io adapter's channels, so no other stack on this Redis
  // hears its broadcasts (a second instance of this stack shares them through this env).
  if (service === 'messenger') {
    return { ...withGrpc, PRESENCE_SWEEP_MS: '500', REDIS_KEY_PREFIX: `messenger-e2e${suffix}` };
  }
  return withGrpc;
}
