import { commonEnvSchema, env, commonConfig } from '@app/platform';
import { z } from 'zod';

/**
 * auth's environment. This file is the only reader of `process.env`; everything else gets
 * the typed {@link AuthConfig} through `APP_CONFIG`.
 */
export const authConfigSchema = commonEnvSchema
  .extend({
    HTTP_PORT: env.port(3001),
    GRPC_PORT: env.port(50051),
    /** Interface the gRPC server binds to. */
    GRPC_HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/auth'),
    /** `host:port` of profile's gRPC server (nickname reservations of the registration saga). */
    PROFILE_GRPC_URL: z
      .string()
      .regex(/^[^\s:]+:\d+$/, 'expected host:port')
      .default('127.0.0.1:50052'),
    /** Deadline of every outgoing gRPC call, in milliseconds. */
    GRPC_DEADLINE_MS: z.coerce.number().int().min(50).default(3000),
    JWT_ISSUER: z.string().min(1).default('messenger-auth'),
    JWT_AUDIENCE: z.string().min(1).default('messenger'),
    /** Lifetime of access tokens, in seconds. */
    ACCESS_TOKEN_TTL: env.seconds(900),
    /** Lifetime of a refresh token, in seconds (each rotation starts a new one). */
    REFRESH_TOKEN_TTL: env.seconds(30 * 24 * 3600),
  })
  .transform((e) => ({
    ...commonConfig(e),
    http: { port: e.HTTP_PORT },
    grpc: { port: e.GRPC_PORT, url: `${e.GRPC_HOST}:${e.GRPC_PORT}` },
    database: { url: e.DATABASE_URL },
    profile: { grpcUrl: e.PROFILE_GRPC_URL },
    grpcDeadlineMs: e.GRPC_DEADLINE_MS,
    tokens: {
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTtlSeconds: e.ACCESS_TOKEN_TTL,
      refreshTtlSeconds: e.REFRESH_TOKEN_TTL,
    },
  }));

/** auth's typed configuration, built once at boot. */
export type AuthConfig = z.output<typeof authConfigSchema>;
