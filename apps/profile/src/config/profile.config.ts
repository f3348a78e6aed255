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
 * Everything profile reads from the environment, validated at boot and turned into one
 * typed object. This file is the only reader of `process.env`.
 */
export const profileConfigSchema = commonEnvSchema
  .extend(tokenVerificationEnvSchema.shape)
  .extend(internalCallsEnvSchema.shape)
  // Redis carries `profileUpdated` subscription events between instances and holds the
  // request counters they share.
  .extend(redisEnvSchema('profile').shape)
  .extend(rateLimitEnvSchema.shape)
  .extend({
    HTTP_PORT: env.port(3002),
    GRPC_PORT: env.port(50052),
    /**
     * Interface the internal gRPC server binds to: loopback, so that only this machine
     * reaches it unless a deployment opens it (0.0.0.0 in docker-compose and Kubernetes,
     * where other containers call it). Callers need the service credential either way.
     */
    GRPC_HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/profile'),
  })
  .transform((e) => ({
    ...commonConfig(e),
    http: { port: e.HTTP_PORT },
    grpc: { port: e.GRPC_PORT, url: `${e.GRPC_HOST}:${e.GRPC_PORT}` },
    database: { url: e.DATABASE_URL },
    redis: redisConfig(e),
    rateLimit: rateLimitConfig(e),
    auth: tokenVerificationConfig(e),
    /** The service credential every caller of the gRPC API must present. */
    internalApiToken: e.INTERNAL_API_TOKEN,
  }));

/** The typed configuration of the profile service. */
export type ProfileConfig = z.output<typeof profileConfigSchema>;
