import { commonEnvSchema, env, tokenVerificationEnvSchema } from '@app/platform';
import { z } from 'zod';

/**
 * friends' environment. This file is the only reader of `process.env`; the rest of the app
 * receives the typed {@link FriendsConfig} built here.
 */
export const friendsConfigSchema = commonEnvSchema
  .extend(tokenVerificationEnvSchema.shape)
  .extend({
    HTTP_PORT: env.port(3003),
    GRPC_HOST: z.string().min(1).default('0.0.0.0'),
    GRPC_PORT: env.port(50053),
    /** Consumer group; every instance of friends shares one (override for a private dev copy). */
    KAFKA_GROUP_ID: z.string().min(1).default('friends'),
    DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/friends'),
    /** Largest JSON body accepted, in the notation of body-parser (`16kb`, `1mb`). */
    HTTP_BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 16kb')
      .default('16kb'),
  })
  .transform((e) => ({
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: { port: e.HTTP_PORT, bodyLimit: e.HTTP_BODY_LIMIT },
    grpc: { port: e.GRPC_PORT, url: `${e.GRPC_HOST}:${e.GRPC_PORT}` },
    database: { url: e.DATABASE_URL },
    kafka: { brokers: e.KAFKA_BROKERS, groupId: e.KAFKA_GROUP_ID, outboxPollMs: e.OUTBOX_POLL_MS },
    auth: { jwksUrl: e.AUTH_JWKS_URL, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  }));

/** friends' validated configuration. */
export type FriendsConfig = z.output<typeof friendsConfigSchema>;
