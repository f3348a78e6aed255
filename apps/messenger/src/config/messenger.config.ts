import {
  commonEnvSchema,
  env,
  tokenVerificationEnvSchema,
  commonConfig,
  tokenVerificationConfig,
} from '@app/platform';
import { z } from 'zod';

const hostPort = (fallback: string) =>
  z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'expected host:port')
    .default(fallback);

/**
 * Everything messenger reads from the environment, validated at boot and turned into one
 * typed object. This file is the only reader of `process.env`.
 */
export const messengerConfigSchema = commonEnvSchema
  .extend(tokenVerificationEnvSchema.shape)
  .extend({
    HTTP_PORT: env.port(3004),
    DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/messenger'),
    REDIS_URL: env.url('redis://127.0.0.1:6379'),
    /** `host:port` of friends' gRPC server (friendship checks before direct chats). */
    FRIENDS_GRPC_URL: hostPort('127.0.0.1:50053'),
    /** Deadline of every outgoing gRPC call, in milliseconds. */
    GRPC_DEADLINE_MS: z.coerce.number().int().min(50).default(2000),
    /**
     * Comma-separated browser origins allowed to open a socket, or `*` for any. `*` is
     * refused in production, where the allowlist must be explicit.
     */
    CORS_ORIGINS: z.string().min(1).default('*'),
    /** Largest socket.io packet accepted; a bigger one closes that socket (socket.io's rule). */
    MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).default(16_384),
    /**
     * Steady rate of messages (and typing signals) per socket: its token bucket regains this
     * many tokens a second. A message without a token gets an error ack.
     */
    MESSAGES_PER_SECOND: z.coerce.number().int().min(1).default(10),
    /** Size of each socket's token bucket: the most messages it may send at once. */
    MESSAGE_BURST: z.coerce.number().int().min(1).default(20),
    /** Open sockets one user may hold at once (all devices, all instances). */
    MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).default(10),
    /** How long the last socket of a user must stay closed before friends see them offline. */
    PRESENCE_OFFLINE_DELAY_MS: z.coerce.number().int().min(0).default(3_000),
    /** How long the friendship circuit stays open before trying friends again. */
    FRIENDS_BREAKER_RESET_MS: z.coerce.number().int().min(100).default(10_000),
  })
  .transform((e) => ({
    ...commonConfig(e),
    http: { port: e.HTTP_PORT },
    database: { url: e.DATABASE_URL },
    redis: { url: e.REDIS_URL },
    auth: tokenVerificationConfig(e),
    friends: { grpcUrl: e.FRIENDS_GRPC_URL },
    grpcDeadlineMs: e.GRPC_DEADLINE_MS,
    cors: { origins: parseOrigins(e.CORS_ORIGINS) },
    limits: {
      maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
      messagesPerSecond: e.MESSAGES_PER_SECOND,
      messageBurst: e.MESSAGE_BURST,
      maxConnectionsPerUser: e.MAX_CONNECTIONS_PER_USER,
    },
    presence: { offlineDelayMs: e.PRESENCE_OFFLINE_DELAY_MS },
    friendsBreaker: { resetMs: e.FRIENDS_BREAKER_RESET_MS },
  }))
  .refine((c) => c.env !== 'production' || c.cors.origins !== '*', {
    message: 'CORS_ORIGINS must list the allowed origins in production, not *',
    path: ['CORS_ORIGINS'],
  });

/** `*` stays a wildcard; anything else becomes the list of allowed origins. */
function parseOrigins(raw: string): '*' | string[] {
  if (raw.trim() === '*') return '*';
  return raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** The typed configuration of the messenger service. */
export type MessengerConfig = z.output<typeof messengerConfigSchema>;
