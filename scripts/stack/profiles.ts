// One profile per way the project starts its services: `up` (the development stack of
// `npm run up`), `e2e(instance)` (the end-to-end suite), `faults` (the fault-injection
// suite), `bench(instance)` (the benchmarks) and `demo` (where `npm run demo` seeds). A
// profile says on which ports each service listens, which databases, Kafka topic prefix,
// consumer groups and Redis key prefixes it uses, and with which limits — everything the
// orchestrator (./services.ts) needs to start, wait for and stop that stack.
//
// A service's environment is typed against the input of that service's own config schema
// (apps/<svc>/src/config/<svc>.config.ts), so a variable the services do not read, or a
// misspelt one, does not compile. The schemas are imported for their types only: loading
// them would load `@app/platform` (NestJS, tracing). test/repo/stack-profiles.spec.ts
// parses every profile's environment with the real schemas, and checks that the `up`
// profile's ports are the schemas' defaults.

import path from 'node:path';
import type { z } from 'zod';
import type { authConfigSchema } from '../../apps/auth/src/config/auth.config';
import type { friendsConfigSchema } from '../../apps/friends/src/config/friends.config';
import type { messengerConfigSchema } from '../../apps/messenger/src/config/messenger.config';
import type { profileConfigSchema } from '../../apps/profile/src/config/profile.config';
import { INFRA_DIR, REPO_ROOT } from '../infra/lib';
import { databaseUrl } from '../infra/postgres';
import { kafkaBrokers } from '../infra/kafka';
import { redisUrl } from '../infra/redis';

export type ServiceName = 'auth' | 'profile' | 'friends' | 'messenger';

/**
 * Start order: profile serves auth's registration saga, auth the JWKS the others fetch,
 * friends what messenger asks about membership.
 */
export const START_ORDER: readonly ServiceName[] = ['profile', 'auth', 'friends', 'messenger'];

interface ConfigSchemas {
  auth: typeof authConfigSchema;
  profile: typeof profileConfigSchema;
  friends: typeof friendsConfigSchema;
  messenger: typeof messengerConfigSchema;
}

/**
 * Variables a service process reads outside its config schema: the OpenTelemetry SDK's
 * own (libs/platform/src/tracing).
 */
interface ProcessVariables {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_BSP_SCHEDULE_DELAY?: string;
  OTEL_SDK_DISABLED?: string;
}

/** The environment of service `S`: names from its config schema, values as strings. */
export type ServiceEnv<S extends ServiceName = ServiceName> = {
  [K in keyof z.input<ConfigSchemas[S]>]?: string;
} & ProcessVariables;

/** A variable of any of the four services. */
type AnyServiceKey = { [S in ServiceName]: keyof z.input<ConfigSchemas[S]> }[ServiceName];

/** An environment for any of the services (before it is narrowed to one). */
export type AnyServiceEnv = { [K in AnyServiceKey]?: string } & ProcessVariables;

/** Where a service listens; `grpc` for the three that serve gRPC. */
export interface ServicePorts {
  http: number;
  grpc?: number;
}

export type StackPorts = { [S in ServiceName]: ServicePorts } & {
  messenger: { http: number; grpc?: undefined };
};

/** The NGINX gateway in front of a stack (scripts/infra/gateway.ts). */
export interface GatewayProfile {
  /** Its folder under .infra/gateway/. */
  name: string;
  /** The public listener's address; all interfaces when unset. */
  host?: string;
  port: number;
  statusPort: number;
  exporterPort: number;
  /** The regular expression of the cross-origin callers it answers CORS for. */
  corsOrigins: string;
}

export interface StackProfile {
  /** Names the stack in logs: `up`, `e2e3`, `faults`, `bench1`. */
  name: string;
  ports: StackPorts;
  /** The database of each service. */
  databases: Record<ServiceName, string>;
  /** `KAFKA_TOPIC_PREFIX` of every service (ADR 0034); '' uses the contract's names. */
  topicPrefix: string;
  /** The consumer group of each consuming service (auth only produces). */
  groups: Partial<Record<ServiceName, string>>;
  /** The service credential every service gets (`INTERNAL_API_TOKEN`, ADR 0015). */
  internalApiToken: string;
  /** Where the services were built (`BUILD_OUT_DIR` of scripts/build.ts), absolute. */
  buildDir: string;
  /** Where each service's log goes: `<logDir>/<service>.log`. */
  logDir: string;
  /**
   * Whether the stack's data is disposable: databases recreated and prefixed topics
   * deleted when the stack starts, so a run sees only its own rows and events.
   */
  fresh: boolean;
  /**
   * `inherit`: a service gets this process's environment under its own (as a developer's
   * shell variables reach `npm run up`); `scrub` lists names removed from it first;
   * `clean`: only PATH and the service's own environment.
   */
  parentEnv: { mode: 'inherit'; scrub: readonly string[] } | { mode: 'clean' };
  gateway?: GatewayProfile;
  /** The environment of `service` in this stack. */
  env<S extends ServiceName>(service: S): ServiceEnv<S>;
}

// ---------------------------------------------------------------------------------------
// Pieces shared by the profiles
// ---------------------------------------------------------------------------------------

const SERVICES: readonly ServiceName[] = ['auth', 'profile', 'friends', 'messenger'];

/** HTTP on `httpBase + 1…4` (auth, profile, friends, messenger), gRPC on `grpcBase + 1…3`. */
function portsFrom(httpBase: number, grpcBase: number): StackPorts {
  return {
    auth: { http: httpBase + 1, grpc: grpcBase + 1 },
    profile: { http: httpBase + 2, grpc: grpcBase + 2 },
    friends: { http: httpBase + 3, grpc: grpcBase + 3 },
    messenger: { http: httpBase + 4 },
  };
}

const byService = <T>(value: (service: ServiceName) => T): Record<ServiceName, T> =>
  Object.fromEntries(SERVICES.map((s) => [s, value(s)])) as Record<ServiceName, T>;

/** The instance of a numbered stack (e2e, bench): 0–9, from an environment variable. */
export function instanceFrom(variable: string, env: NodeJS.ProcessEnv = process.env): number {
  const instance = Number(env[variable] ?? 0);
  if (!Number.isInteger(instance) || instance < 0 || instance > 9) {
    throw new Error(`${variable} must be 0–9, got ${env[variable]}`);
  }
  return instance;
}

const loopback = (port: number) => `127.0.0.1:${port}`;

/**
 * What every service of a stack needs to find the others and the infrastructure: its
 * ports, database, broker and topics, consumer group, Redis, the JWKS and gRPC addresses
 * and the service credential.
 */
function wiring<S extends ServiceName>(
  profile: Omit<StackProfile, 'env'>,
  service: S,
): ServiceEnv<S> {
  const { ports } = profile;
  const common: ServiceEnv = {
    HTTP_PORT: String(ports[service].http),
    DATABASE_URL: databaseUrl(profile.databases[service]),
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_TOPIC_PREFIX: profile.topicPrefix,
    REDIS_URL: redisUrl(),
    INTERNAL_API_TOKEN: profile.internalApiToken,
  };
  const group = profile.groups[service];
  if (group !== undefined) common.KAFKA_GROUP_ID = group;
  if (!profile.internalApiToken) delete common.INTERNAL_API_TOKEN;
  const jwks = `http://${loopback(ports.auth.http)}/.well-known/jwks.json`;
  const grpcPort = (s: 'auth' | 'profile' | 'friends') => String(ports[s].grpc);
  const own: { [K in ServiceName]: ServiceEnv<K> } = {
    auth: { GRPC_PORT: grpcPort('auth'), PROFILE_GRPC_URL: loopback(ports.profile.grpc!) },
    profile: { GRPC_PORT: grpcPort('profile'), AUTH_JWKS_URL: jwks },
    friends: { GRPC_PORT: grpcPort('friends'), AUTH_JWKS_URL: jwks },
    messenger: { AUTH_JWKS_URL: jwks, FRIENDS_GRPC_URL: loopback(ports.friends.grpc!) },
  };
  return { ...common, ...own[service] };
}

// ---------------------------------------------------------------------------------------
// up: the development stack
// ---------------------------------------------------------------------------------------

/** The development stack's ports: the defaults of the services' config schemas. */
export const DEV_PORTS: StackPorts = portsFrom(3000, 50050);

/**
 * `npm run up`: the services on their default ports against the `<svc>` databases, the
 * contract's topic names and default consumer groups, built into dist/, detached, logs
 * and pid files under .infra/services/, the gateway on GATEWAY_PORT (8080).
 * `internalApiToken` is the local credential (see ./services.ts `localInternalApiToken`).
 */
function up(internalApiToken = ''): StackProfile {
  const gatewayPort = Number(process.env.GATEWAY_PORT ?? 8080);
  const base: Omit<StackProfile, 'env'> = {
    name: 'up',
    ports: DEV_PORTS,
    databases: byService((s) => s),
    topicPrefix: '',
    groups: {},
    internalApiToken,
    buildDir: path.join(REPO_ROOT, 'dist'),
    logDir: path.join(INFRA_DIR, 'services'),
    fresh: false,
    parentEnv: { mode: 'inherit', scrub: [] },
    gateway: {
      name: 'local',
      port: gatewayPort,
      statusPort: gatewayPort + 1,
      exporterPort: 9113,
      // The web client's Vite dev server may call the APIs across origins; the gateway's own
      // origin needs no CORS. The same allow-list as the services' (DEFAULT_CORS_ORIGINS).
      corsOrigins: '^http://(localhost|127\\.0\\.0\\.1):5173$',
    },
  };
  return {
    ...base,
    env: (service) => {
      const env: ServiceEnv = wiring(base, service);
      env.NODE_ENV = process.env.NODE_ENV ?? 'development';
      // Left to the schemas' defaults, which a developer's shell may override.
      delete env.DATABASE_URL;
      delete env.KAFKA_BROKERS;
      delete env.REDIS_URL;
      delete env.KAFKA_TOPIC_PREFIX;
      return env;
    },
  };
}

// ---------------------------------------------------------------------------------------
// e2e: the end-to-end suite
// ---------------------------------------------------------------------------------------

/**
 * Per-user request limits of friends' REST and profile's GraphQL in the e2e run
 * (`RateLimitModule`): low enough that `test/e2e/request-rate-limits.e2e-spec.ts` trips
 * them in about a second, far above what any other spec's users send in a minute (each
 * spec uses fresh users). Requests without a valid token count per address, and the
 * whole suite shares 127.0.0.1, so that limit is higher; the spec trips it from its own
 * `x-forwarded-for` addresses (trusted here, as behind a proxy).
 */
export const E2E_REQUEST_LIMITS = { perUser: 100, perAddress: 300 } as const;

/**
 * Pruning of the event tables in the e2e run (ADR 0025): rounds every half second, so
 * `test/e2e/event-retention.e2e-spec.ts` sees rows go within seconds of ageing them, and a
 * retention of an hour, which no row of a suite run reaches unless a spec ages it.
 */
export const E2E_EVENT_RETENTION = { intervalMs: 500, retentionSeconds: 3_600 } as const;

export interface E2eProfile extends StackProfile {
  instance: number;
  gateway: GatewayProfile;
  /** The OAuth2 authorization server auth's OAuth spec starts on loopback. */
  oauthProviderPort: number;
  /** The OTLP/HTTP receiver the tracing spec runs; every service exports its spans there. */
  otlpReceiverPort: number;
}

/**
 * The e2e stack of `instance` (0–9, `E2E_INSTANCE`): ports 13001+/15051+ shifted by
 * 100 × instance, `<svc>_test[_<n>]` databases, topics `e2e<n>.*`, groups and Redis
 * prefixes `<svc>-e2e[_<n>]`, its own build folder, so several suites run side by side on
 * one machine and broker and never touch a stack of `npm run up`.
 */
function e2e(instance = instanceFrom('E2E_INSTANCE')): E2eProfile {
  const offset = instance * 100;
  const suffix = instance === 0 ? '' : `_${instance}`;
  const gatewayPort = 18080 + offset;
  const oauthProviderPort = 13090 + offset;
  const base: Omit<E2eProfile, 'env'> = {
    name: `e2e${instance}`,
    instance,
    ports: portsFrom(13000 + offset, 15050 + offset),
    databases: byService((s) => `${s}_test${suffix}`),
    topicPrefix: `e2e${instance}.`,
    groups: {
      profile: `profile-e2e${suffix}`,
      friends: `friends-e2e${suffix}`,
      messenger: `messenger-e2e${suffix}`,
    },
    internalApiToken: `e2e-internal-token-of-stack-${instance}-0123456789abcdef`,
    // Instance 0 uses the ordinary build; others build apart so parallel runs do not collide.
    buildDir:
      instance === 0 ? path.join(REPO_ROOT, 'dist') : path.join(INFRA_DIR, `e2e-dist-${instance}`),
    logDir: path.join(INFRA_DIR, 'e2e-logs', String(instance)),
    fresh: true,
    parentEnv: { mode: 'inherit', scrub: [] },
    gateway: {
      name: `e2e-${instance}`,
      host: '127.0.0.1',
      port: gatewayPort,
      statusPort: gatewayPort + 1,
      exporterPort: gatewayPort + 2,
      // The one cross-origin caller the e2e gateway answers CORS for (a web dev server).
      corsOrigins: '^http://localhost:5173$',
    },
    oauthProviderPort,
    otlpReceiverPort: 13095 + offset,
  };
  const authHttp = `http://${loopback(base.ports.auth.http)}`;
  const oauthProvider = `http://${loopback(oauthProviderPort)}`;
  const common: ServiceEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    // The platform's default origins (the gateway of `npm run up`, the web dev server) and
    // this stack's own gateway, through which browsers reach the e2e stack.
    CORS_ORIGINS: [
      'http://127.0.0.1:8080',
      'http://localhost:8080',
      'http://localhost:5173',
      'http://127.0.0.1:5173',
      `http://127.0.0.1:${gatewayPort}`,
      `http://localhost:${gatewayPort}`,
    ].join(','),
    OUTBOX_POLL_MS: '200',
    EVENT_PRUNE_INTERVAL_MS: String(E2E_EVENT_RETENTION.intervalMs),
    OUTBOX_RETENTION_SECONDS: String(E2E_EVENT_RETENTION.retentionSeconds),
    PROCESSED_EVENTS_RETENTION_SECONDS: String(E2E_EVENT_RETENTION.retentionSeconds),
    // Tracing on, as in docker-compose, exporting to the tracing spec's receiver; short
    // batch delay so a trace arrives while the spec waits for it.
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${loopback(base.otlpReceiverPort)}`,
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  // Own Redis key prefix per stack: stacks sharing one Redis never share counters.
  const requestLimits: ServiceEnv<'friends' | 'profile'> = {
    RATE_LIMIT_WINDOW: '60',
    RATE_LIMIT_PER_USER: String(E2E_REQUEST_LIMITS.perUser),
    RATE_LIMIT_PER_ADDRESS: String(E2E_REQUEST_LIMITS.perAddress),
    TRUST_PROXY: 'true',
  };
  const perService: { [S in ServiceName]: ServiceEnv<S> } = {
    // auth's abuse limits: per-account limits as in production (every test uses fresh
    // emails), per-address limits that the whole suite — always 127.0.0.1 — stays under,
    // except failed logins, which the rate-limit spec trips from its own `x-forwarded-for`
    // addresses (trusted here, as behind a proxy).
    auth: {
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
          authorizationUrl: `${oauthProvider}/authorize`,
          tokenUrl: `${oauthProvider}/token`,
          userInfoUrl: `${oauthProvider}/userinfo`,
          clientId: 'messenger-e2e',
          clientSecret: 'messenger-e2e-secret',
          scopes: ['openid', 'email', 'profile'],
          redirectUri: `${authHttp}/v1/auth/oauth/mock/callback`,
        },
      ]),
    },
    profile: { ...requestLimits, REDIS_KEY_PREFIX: `profile-e2e${suffix}` },
    friends: { ...requestLimits, REDIS_KEY_PREFIX: `friends-e2e${suffix}` },
    // Sweeps for users of dead instances often, so a spec sees them announced offline
    // soon. Its own Redis prefix: the socket.io adapter's channels, so no other stack on
    // this Redis hears its broadcasts (a second instance of this stack shares them).
    messenger: { PRESENCE_SWEEP_MS: '500', REDIS_KEY_PREFIX: `messenger-e2e${suffix}` },
  };
  return {
    ...base,
    env: <S extends ServiceName>(service: S): ServiceEnv<S> => ({
      ...common,
      ...wiring(base, service),
      ...perService[service],
    }),
  };
}

// ---------------------------------------------------------------------------------------
// faults: the fault-injection suite
// ---------------------------------------------------------------------------------------

/** The fault suite's own broker's ports (test/faults/support/broker.ts). */
export const FAULTS_BROKER_PORTS = {
  /** The broker, as test clients and "healthy" services reach it. */
  broker: 19092,
  controller: 19093,
  /**
   * A second listener that advertises the fault proxy's address: a client that
   * bootstraps through the proxy keeps talking through it.
   */
  brokerBehindProxy: 19094,
  proxy: 19095,
} as const;

/**
 * The fault suite: its own broker (19092), its own build (.infra/faults-dist), its own
 * `<svc>_faults` databases, topics `faults.*`, ports 19102+/19152+. Its specs start the
 * service processes they need, each with its own consumer group and broker address (direct
 * or through the fault proxy), so a service's environment there is this profile's and the
 * spec's (test/faults/support/service-process.ts). Services get no environment but PATH
 * and their own.
 */
function faults(): StackProfile {
  const base: Omit<StackProfile, 'env'> = {
    name: 'faults',
    ports: portsFrom(19100, 19150),
    databases: byService((s) => `${s}_faults`),
    topicPrefix: 'faults.',
    groups: { profile: 'profile-faults', friends: 'friends-faults', messenger: 'messenger-faults' },
    // None, as the specs expect: their services' internal gRPC methods refuse every call.
    internalApiToken: '',
    buildDir: path.join(INFRA_DIR, 'faults-dist'),
    logDir: path.join(INFRA_DIR, 'faults', 'logs'),
    fresh: true,
    parentEnv: { mode: 'clean' },
  };
  // The load loops send as fast as answers come: far over the per-user request limit a
  // person never reaches. Own counters, apart from any other stack on this Redis.
  const loadLimits = { GRPC_HOST: '127.0.0.1', RATE_LIMIT_PER_USER: '1000000000' };
  const perService: { [S in ServiceName]: ServiceEnv<S> } = {
    auth: { GRPC_HOST: '127.0.0.1', REDIS_KEY_PREFIX: 'auth-faults' },
    profile: { ...loadLimits, REDIS_KEY_PREFIX: 'profile-faults' },
    friends: { ...loadLimits, REDIS_KEY_PREFIX: 'friends-faults' },
    messenger: { REDIS_KEY_PREFIX: 'messenger-faults' },
  };
  return {
    ...base,
    env: <S extends ServiceName>(service: S): ServiceEnv<S> => ({
      ...wiring(base, service),
      KAFKA_BROKERS: loopback(FAULTS_BROKER_PORTS.broker),
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'info',
      OUTBOX_POLL_MS: '200',
      ...perService[service],
    }),
  };
}

// ---------------------------------------------------------------------------------------
// bench: the benchmarks
// ---------------------------------------------------------------------------------------

export interface BenchProfile extends StackProfile {
  instance: number;
}

/**
 * The benchmark stack of `instance` (`BENCH_INSTANCE`, 0–9): HTTP 23001–23004 and gRPC
 * 25051–25053 shifted by 100 × instance, `<svc>_bench[_<n>]` databases, topics
 * `bench[_<n>].*`, its own groups and Redis prefixes and build folder. Production mode,
 * logs at `warn` (log I/O would otherwise dominate hot paths), no tracing export, and abuse
 * limits far above what the load generators send: the benchmarks measure the hot path,
 * not the limiter's refusals.
 */
function bench(instance = instanceFrom('BENCH_INSTANCE')): BenchProfile {
  const offset = instance * 100;
  const suffix = instance === 0 ? '' : `_${instance}`;
  const base: Omit<BenchProfile, 'env'> = {
    name: `bench${instance}`,
    instance,
    ports: portsFrom(23000 + offset, 25050 + offset),
    databases: byService((s) => `${s}_bench${suffix}`),
    topicPrefix: `bench${suffix}.`,
    groups: {
      profile: `profile-bench${suffix}`,
      friends: `friends-bench${suffix}`,
      messenger: `messenger-bench${suffix}`,
    },
    internalApiToken: 'bench-internal-token-0123456789abcdef-0123456789',
    buildDir: path.join(INFRA_DIR, instance === 0 ? 'bench-dist' : `bench-dist-${instance}`),
    logDir: path.join(INFRA_DIR, 'bench-logs', String(instance)),
    fresh: true,
    // The bench runner's own environment must not leak into a service.
    parentEnv: {
      mode: 'inherit',
      scrub: ['OTEL_EXPORTER_OTLP_ENDPOINT', 'NODE_OPTIONS', 'DATABASE_URL', 'PORT'],
    },
  };
  const perService: { [S in ServiceName]: ServiceEnv<S> } = {
    auth: {
      REDIS_KEY_PREFIX: `auth-bench${suffix}`,
      ACCESS_TOKEN_TTL: '7200',
      REGISTER_MAX_PER_ACCOUNT: '1000',
      REGISTER_MAX_PER_ADDRESS: '10000000',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '10000000',
    },
    profile: {
      REDIS_KEY_PREFIX: `profile-bench${suffix}`,
      RATE_LIMIT_PER_USER: '1000000000',
      RATE_LIMIT_PER_ADDRESS: '1000000000',
    },
    friends: {
      REDIS_KEY_PREFIX: `friends-bench${suffix}`,
      RATE_LIMIT_PER_USER: '1000000000',
      RATE_LIMIT_PER_ADDRESS: '1000000000',
    },
    messenger: {
      CORS_ORIGINS: 'http://127.0.0.1',
      // The socket.io adapter's channels are under it: no other stack hears this one's pushes.
      REDIS_KEY_PREFIX: `messenger-bench${suffix}`,
      MESSAGES_PER_SECOND: '1000000',
      MESSAGE_BURST: '1000000',
      MAX_CONNECTIONS_PER_USER: '100000',
    },
  };
  return {
    ...base,
    env: <S extends ServiceName>(service: S): ServiceEnv<S> => {
      const env: AnyServiceEnv = {
        ...wiring(base, service),
        NODE_ENV: 'production',
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
        OUTBOX_POLL_MS: process.env.BENCH_OUTBOX_POLL_MS ?? '500',
      };
      if (service !== 'messenger') env.GRPC_HOST = '127.0.0.1';
      return { ...env, ...perService[service] };
    },
  };
}

// ---------------------------------------------------------------------------------------
// demo: where `npm run demo` seeds
// ---------------------------------------------------------------------------------------

/** The public addresses `npm run demo` talks to. */
export interface DemoProfile {
  auth: string;
  profile: string;
  friends: string;
  messenger: string;
  gateway: string;
}

/**
 * `npm run demo` seeds the stack of `npm run up` through its public APIs; DEMO_*_URL move
 * it (the e2e suite points it at its own stack).
 */
function demo(env: NodeJS.ProcessEnv = process.env): DemoProfile {
  const stack = up();
  const http = (service: ServiceName) => `http://${loopback(stack.ports[service].http)}`;
  return {
    auth: env.DEMO_AUTH_URL || http('auth'),
    profile: env.DEMO_PROFILE_URL || http('profile'),
    friends: env.DEMO_FRIENDS_URL || http('friends'),
    messenger: env.DEMO_MESSENGER_URL || http('messenger'),
    gateway: env.DEMO_GATEWAY_URL || `http://${loopback(stack.gateway!.port)}`,
  };
}

export const profiles = { up, e2e, faults, bench, demo };

/** Base URLs of a stack's services: `http://127.0.0.1:<port>` and gRPC `127.0.0.1:<port>`. */
export function stackUrls(profile: Pick<StackProfile, 'ports'>) {
  const { ports } = profile;
  return {
    auth: { http: `http://${loopback(ports.auth.http)}`, grpc: loopback(ports.auth.grpc!) },
    profile: {
      http: `http://${loopback(ports.profile.http)}`,
      grpc: loopback(ports.profile.grpc!),
    },
    friends: {
      http: `http://${loopback(ports.friends.http)}`,
      grpc: loopback(ports.friends.grpc!),
    },
    messenger: { http: `http://${loopback(ports.messenger.http)}` },
  };
}
