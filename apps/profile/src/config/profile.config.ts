import {
  commonEnvSchema,
  env,
  tokenVerificationEnvSchema,
  commonConfig,
  tokenVerificationConfig,
} from '@app/platform';
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
    /** Carries `profileUpdated` subscription events between instances. */
    REDIS_URL: env.url('redis://127.0.0.1:6379'),
  })
  .transform((e) => ({
    ...commonConfig(e),
    http: { port: e.HTTP_PORT },
    grpc: { port: e.GRPC_PORT, url: `${e.GRPC_HOST}:${e.GRPC_PORT}` },
    database: { url: e.DATABASE_URL },
    redis: { url: e.REDIS_URL },
    auth: tokenVerificationConfig(e),
  }));

/** The typed configuration of the profile service. */
export type ProfileConfig = z.output<typeof profileConfigSchema>;
