import { commonEnvSchema, env, tokenVerificationEnvSchema } from '@app/platform';
import { z } from 'zod';

/**
 * Everything profile reads from the environment, validated at boot and turned into one
 * typed object. This file is the only reader of `process.env`.
 */
export const profileConfigSchema = commonEnvSchema
  .extend(tokenVerificationEnvSchema.shape)
  .extend({
    HTTP_PORT: env.port(3002),
    GRPC_PORT: env.port(50052),
    /** Interface the internal gRPC server binds to. */
    GRPC_HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/profile'),
    /** Consumer group; override only to keep a scratch instance apart from a shared broker's. */
    KAFKA_GROUP_ID: z.string().min(1).default('profile'),
  })
  .transform((e) => ({
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    http: { port: e.HTTP_PORT },
    grpc: { port: e.GRPC_PORT, url: `${e.GRPC_HOST}:${e.GRPC_PORT}` },
    database: { url: e.DATABASE_URL },
    kafka: { brokers: e.KAFKA_BROKERS, groupId: e.KAFKA_GROUP_ID, outboxPollMs: e.OUTBOX_POLL_MS },
    auth: { jwksUrl: e.AUTH_JWKS_URL, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE },
  }));

/** The typed configuration of the profile service. */
export type ProfileConfig = z.output<typeof profileConfigSchema>;
