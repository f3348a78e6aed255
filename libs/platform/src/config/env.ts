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
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
};

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
  /** Milliseconds the relay waits between outbox polls when nothing nudges it. */
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(500),
  /** How long shutdown waits after readiness goes down, so load balancers notice. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(0),
});

/** Variables of services that verify access tokens from auth's JWKS. */
export const tokenVerificationEnvSchema = z.object({
  AUTH_JWKS_URL: env.url('http://127.0.0.1:3001/.well-known/jwks.json'),
  JWT_ISSUER: z.string().min(1).default('messenger-auth'),
  JWT_AUDIENCE: z.string().min(1).default('messenger'),
});

type CommonEnv = z.output<typeof commonEnvSchema>;
type TokenVerificationEnv = z.output<typeof tokenVerificationEnvSchema>;

/** The typed shape of {@link commonEnvSchema}, for a service's config `transform`. */
export function commonConfig(e: CommonEnv) {
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    kafka: { brokers: e.KAFKA_BROKERS, groupId: e.KAFKA_GROUP_ID, outboxPollMs: e.OUTBOX_POLL_MS },
  };
}

/** The typed shape of {@link tokenVerificationEnvSchema}: `TokenVerificationModule`'s options. */
export function tokenVerificationConfig(e: TokenVerificationEnv) {
  return { jwksUrl: e.AUTH_JWKS_URL, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE };
}
