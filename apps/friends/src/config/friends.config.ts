import {
  commonEnvSchema,
  env,
  tokenVerificationEnvSchema,
  commonConfig,
  tokenVerificationConfig,
  internalCallsEnvSchema,
  rateLimitConfig,
  rateLimitEnvSchema,
  redisConfig,
  redisEnvSchema,
} from '@app/platform';
import { z } from 'zod';

/**
 * friends' environment. This file is the only reader of `process.env`; the rest of the app
 * receives the typed {@link FriendsConfig} built here.
 */
export const friendsConfigSchema = commonEnvSchema
  .extend(tokenVerificationEnvSchema.shape)
  .extend(internalCallsEnvSchema.shape)
  .extend(redisEnvSchema('friends').shape)
  .extend(rateLimitEnvSchema.shape)
  .extend({
    HTTP_PORT: env.port(3003),
    /**
     * Interface the internal gRPC server binds to: loopback, so that only this machine
     * reaches it unless a deployment opens it (0.0.0.0 in docker-compose and Kubernetes,
     * where other containers call it). Callers need the service credential either way.
     */
    GRPC_HOST: z.string().min(1).default('127.0.0.1'),
    GRPC_PORT: env.port(50053),
    DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/friends'),
    /** Largest JSON body accepted, in the notation of body-parser (`16kb`, `1mb`). */
    HTTP_BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 16kb')
      .default('16kb'),
  })
  .transform((e) => ({
    ...commonConfig(e),
    http: { port: e.HTTP_PORT, bodyLimit: e.HTTP_BODY_LIMIT },
    grpc: { port: e.GRPC_PORT, url: `${e.GRPC_HOST}:${e.GRPC_PORT}` },
    database: { url: e.DATABASE_URL },
    auth: tokenVerificationConfig(e),
    /** Holds the request counters, shared by every instance. */
    redis: redisConfig(e),
    rateLimit: rateLimitConfig(e),
    /** The service credential every caller of the gRPC API must present. */
    internalApiToken: e.INTERNAL_API_TOKEN,
  }));

/** friends' validated configuration. */
export type FriendsConfig = z.output<typeof friendsConfigSchema>;
