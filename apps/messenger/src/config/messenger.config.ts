import {
  commonEnvSchema,
  env,
  tokenVerificationEnvSchema,
  commonConfig,
  tokenVerificationConfig,
  internalCallsEnvSchema,
  redisConfig,
  redisEnvSchema,
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
  .extend(internalCallsEnvSchema.shape)
  .extend(redisEnvSchema('messenger').shape)
  .extend({
    HTTP_PORT: env.port(3004),
    DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/messenger'),
    /** `host:port` of friends' gRPC server (friendship checks before direct chats). */
    FRIENDS_GRPC_URL: hostPort('127.0.0.1:50053'),
    /** Deadline of every outgoing gRPC call, in milliseconds. */
    GRPC_DEADLINE_MS: z.coerce.number().int().min(50).default(2000),
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
    /**
     * How long a socket's entry in Redis lives without a heartbeat: the sockets (and
     * presence) of an instance that died without closing them fade out after this.
     */
    PRESENCE_CONNECTION_TTL_MS: z.coerce.number().int().min(1_000).default(90_000),
    /** How often each instance refreshes its sockets' entries (well below the TTL). */
    PRESENCE_HEARTBEAT_MS: z.coerce.number().int().min(200).default(30_000),
    /** How often each instance looks for users of dead instances to announce offline. */
    PRESENCE_SWEEP_MS: z.coerce.number().int().min(200).default(15_000),
    /** How long the friendship circuit stays open before trying friends again. */
    FRIENDS_BREAKER_RESET_MS: z.coerce.number().int().min(100).default(10_000),
  })
  .transform((e) => ({
    ...commonConfig(e),
    http: { port: e.HTTP_PORT },
    database: { url: e.DATABASE_URL },
    redis: redisConfig(e),
    auth: tokenVerificationConfig(e),
    friends: { grpcUrl: e.FRIENDS_GRPC_URL },
    /** The service credential, sent with every call to friends' internal gRPC API. */
    internalApiToken: e.INTERNAL_API_TOKEN,
    grpcDeadlineMs: e.GRPC_DEADLINE_MS,
    limits: {
      maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
      messagesPerSecond: e.MESSAGES_PER_SECOND,
      messageBurst: e.MESSAGE_BURST,
      maxConnectionsPerUser: e.MAX_CONNECTIONS_PER_USER,
    },
    presence: {
      offlineDelayMs: e.PRESENCE_OFFLINE_DELAY_MS,
      connectionTtlMs: e.PRESENCE_CONNECTION_TTL_MS,
      heartbeatMs: e.PRESENCE_HEARTBEAT_MS,
      sweepMs: e.PRESENCE_SWEEP_MS,
    },
    friendsBreaker: { resetMs: e.FRIENDS_BREAKER_RESET_MS },
  }))
  .refine((c) => c.presence.heartbeatMs * 2 <= c.presence.connectionTtlMs, {
    message: 'PRESENCE_HEARTBEAT_MS must be at most half of PRESENCE_CONNECTION_TTL_MS',
    path: ['PRESENCE_HEARTBEAT_MS'],
  });

/** The typed configuration of the messenger service. */
export type MessengerConfig = z.output<typeof messengerConfigSchema>;
