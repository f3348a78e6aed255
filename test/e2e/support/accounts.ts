/**
 * What the specs of sessions, account deletion and administration share: auth's Bearer
 * RPCs over gRPC and HTTP, a probe of whether every service still accepts an access token,
 * and a recorder of auth's events.
 */
import { type AuthCallOptions, type AuthClient, createAuthClient } from '@app/auth-client';
import { type EventEnvelope, type EventPayload, type Topic } from '@app/contracts';
import { UserDocument } from '@app/profile-client';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import { eventually, profileClient } from './clients';
import { logicalTopic, stack, topic as stackTopic } from './stack';

/** A registered user with both halves of the token pair. */
export interface SessionUser {
  userId: string;
  email: string;
  nickname: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** auth's gRPC API as an end user calls it: no service credential, Bearer where needed. */
export type AccountsGrpcClient = AuthClient;

/** A client of auth's gRPC API on the e2e stack (`@app/auth-client`), as an end user's app. */
export function accountsClient(): AccountsGrpcClient {
  return createAuthClient(stack.auth.grpc);
}

/** The call options that send `accessToken` as `authorization: Bearer <token>` metadata. */
export function bearer(accessToken: string): AuthCallOptions {
  return { accessToken };
}

/** Registers a fresh user over gRPC and keeps both tokens. */
export async function registerSessionUser(
  auth: AccountsGrpcClient,
  prefix = 'acct',
): Promise<SessionUser> {
  const suffix = randomUUID().slice(0, 8);
  const user = {
    email: `${prefix}-${suffix}@example.test`,
    nickname: `${prefix}_${suffix}`,
    password: `pw-${randomUUID()}`,
  };
  const tokens = await auth.register(user);
  return {
    ...user,
    userId: tokens.userId,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
  };
}

/** Calls auth's HTTP gateway; resolves the status and the JSON body. */
export async function authHttp(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack.auth.http}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Which services accept an access token right now. */
export interface Acceptance {
  /** profile's GraphQL API (an operation that needs only a valid token). */
  profile: boolean;
  /** friends' REST API. */
  friends: boolean;
  /** messenger's socket.io handshake. */
  messenger: boolean;
}

/** Asks profile, friends and messenger whether they accept `token` now. */
export async function acceptance(token: string, userId: string): Promise<Acceptance> {
  const [profile, friends, messenger] = await Promise.all([
    profileAccepts(token, userId),
    fetch(`${stack.friends.http}/v1/friends`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((response) => response.status !== 401),
    messengerAccepts(token),
  ]);
  return { profile, friends, messenger };
}

const EVERYWHERE: Acceptance = { profile: true, friends: true, messenger: true };
const NOWHERE: Acceptance = { profile: false, friends: false, messenger: false };

/** Waits until every service accepts `token` (a new user may be unknown for a moment). */
export async function acceptedEverywhere(token: string, userId: string): Promise<void> {
  await eventually(async () => {
    const now = await acceptance(token, userId);
    if (JSON.stringify(now) !== JSON.stringify(EVERYWHERE)) throw new Error(JSON.stringify(now));
    return true;
  }, 15_000);
}

/**
 * Resolves once every service refuses `token`, within `withinMs` (the contract: 2 s after
 * the session ended); rejects with what still accepted it otherwise.
 */
export async function refusedEverywhereWithin(
  token: string,
  userId: string,
  withinMs = 2_000,
): Promise<number> {
  const started = Date.now();
  await eventually(async () => {
    const now = await acceptance(token, userId);
    if (JSON.stringify(now) !== JSON.stringify(NOWHERE)) {
      throw new Error(`still accepted: ${JSON.stringify(now)}`);
    }
    return true;
  }, withinMs);
  return Date.now() - started;
}

async function profileAccepts(token: string, userId: string): Promise<boolean> {
  const { errors } = await profileClient().execute(UserDocument, {
    token,
    variables: { id: userId },
  });
  return !errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED');
}

function messengerAccepts(token: string): Promise<boolean> {
  const socket = io(stack.messenger.http, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.close();
      resolve(true);
    });
    socket.once('connect_error', () => {
      socket.close();
      resolve(false);
    });
  });
}

/** An event as recorded from its topic. */
export interface RecordedEvent<T extends Topic = Topic> {
  topic: T;
  key: string;
  envelope: EventEnvelope<EventPayload<T>>;
}

/**
 * Records every event of `topics` in a consumer group of its own, from the beginning of
 * each topic (a new group's "latest" offset is fixed only once it joins, which may be after
 * the record was written); specs pick theirs out by the ids they created.
 */
export class EventRecorder {
  private readonly events: RecordedEvent[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(topics: readonly Topic[]): Promise<EventRecorder> {
    const kafka = new Kafka({
      clientId: 'accounts-e2e',
      brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `accounts-e2e-${randomUUID()}` });
    const recorder = new EventRecorder(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map(stackTopic), fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        // Topics are shared with other suites, which may write poison records on purpose.
        try {
          const envelope = JSON.parse(message.value?.toString() ?? '') as EventEnvelope;
          recorder.events.push({
            topic: logicalTopic(topic),
            key: message.key?.toString() ?? '',
            envelope: envelope as RecordedEvent['envelope'],
          });
        } catch {
          // not JSON
        }
        return Promise.resolve();
      },
    });
    return recorder;
  }

  /** Every recorded event of `topic` whose payload matches `match`. */
  all<T extends Topic>(
    topic: T,
    match: (payload: EventPayload<T>) => boolean,
  ): Array<RecordedEvent<T>> {
    return (this.events as Array<RecordedEvent<T>>).filter(
      (event) =>
        event.topic === topic &&
        event.envelope?.payload !== undefined &&
        match(event.envelope.payload),
    );
  }

  /** Waits for an event of `topic` whose payload matches `match`. */
  find<T extends Topic>(
    topic: T,
    match: (payload: EventPayload<T>) => boolean,
    timeoutMs = 30_000,
  ): Promise<RecordedEvent<T>> {
    return eventually(() => Promise.resolve(this.all(topic, match)[0]), timeoutMs);
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
