import { SocketApi } from '@app/contracts';
import { Client } from 'pg';
import { io, Socket } from 'socket.io-client';
import { eventually, type TestUser } from '../../../../test/e2e/support/clients';
import { type ExtraService, startExtraService } from '../../../../test/e2e/support/extra-service';
import { serviceEnv, stack } from '../../../../test/e2e/support/stack';

/** The socket API's own types (libs/contracts): the tests speak the published contract. */
export type AckError = SocketApi.AckError;
export type Ack<T> = ({ ok: true } & T) | { ok: false; error: AckError };
export type ChatView = SocketApi.Chat;
export type ChatSummary = SocketApi.ChatSummary;
export type MessageView = SocketApi.Message;
export type TimelineEvent = SocketApi.TimelineEvent;

/** The messages of a `sync` answer's `message.created` events, oldest first. */
export const createdMessages = (events: TimelineEvent[]): MessageView[] =>
  events.flatMap((e) => (e.type === 'message.created' && e.message ? [e.message] : []));

/** The member ids of a chat, in the order they joined. */
export const memberIdsOf = (chat: ChatView): string[] => chat.members.map((m) => m.userId);

/** The messenger of the e2e stack (started by global-setup). */
export const MAIN_MESSENGER = stack.messenger.http;

export { sparePort } from '../../../../test/e2e/support/extra-service';

/** Opens a socket.io connection, not yet waiting for the outcome. */
export function openSocket(
  url: string,
  token?: string,
  extra: { origin?: string; auth?: Record<string, unknown> } = {},
): Socket {
  return io(url, {
    auth: { ...(token === undefined ? {} : { token }), ...extra.auth },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(extra.origin ? { extraHeaders: { origin: extra.origin } } : {}),
  });
}

/** Opens a socket and resolves once the server accepted it. */
export function connected(
  url: string,
  token: string,
  extra?: Parameters<typeof openSocket>[2],
): Promise<Socket> {
  const socket = openSocket(url, token, extra);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Resolves the `connect_error` of a connection that must be refused. */
export function refused(
  url: string,
  token?: string,
  extra?: Parameters<typeof openSocket>[2],
): Promise<Error & { data?: { code?: string } }> {
  const socket = openSocket(url, token, extra);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.close();
      reject(new Error('the connection was accepted'));
    });
    socket.once('connect_error', (error) => {
      socket.close();
      resolve(error);
    });
  });
}

/** Emits an event and resolves its acknowledgement. */
export function ack<T>(socket: Socket, event: string, payload: unknown): Promise<Ack<T>> {
  return socket.timeout(10_000).emitWithAck(event, payload) as Promise<Ack<T>>;
}

/** Resolves the ack body of an event that must succeed. */
export async function okAck<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  const reply = await ack<T>(socket, event, payload);
  if (!reply.ok) throw new Error(`${event} failed: ${reply.error.code} ${reply.error.message}`);
  return reply;
}

/** Collects every `event` a socket receives from now on. */
export function collect<T>(socket: Socket, event: string): T[] {
  const received: T[] = [];
  socket.on(event, (payload: T) => received.push(payload));
  return received;
}

/** Resolves once `list` holds an item matching `match`. */
export function waitFor<T>(list: T[], match: (item: T) => boolean, timeoutMs = 8_000): Promise<T> {
  return eventually(() => Promise.resolve(list.find(match)), timeoutMs);
}

/** Sends a message that must succeed. */
export async function send(socket: Socket, chatId: string, text: string): Promise<MessageView> {
  const { message } = await okAck<{ message: MessageView }>(socket, 'message:send', {
    chatId,
    clientMessageId: `${text}-${Math.random().toString(36).slice(2)}`,
    text,
  });
  return message;
}

/** Calls friends' REST API as `user`. */
export function friendsApi(
  user: TestUser,
  path: string,
  body?: unknown,
  method = 'POST',
): Promise<Response> {
  return fetch(`${stack.friends.http}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${user.accessToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Makes `a` and `b` friends through friends' public API, as two users would. */
export async function befriend(a: TestUser, b: TestUser): Promise<void> {
  // friends learns of new users from auth's events: retry until it knows `b`.
  const request = await eventually(async () => {
    const response = await friendsApi(a, '/v1/friends/requests', { userId: b.userId });
    if (response.status !== 201) throw new Error(`friend request: ${response.status}`);
    return (await response.json()) as { id: string };
  });
  const accepted = await friendsApi(b, `/v1/friends/requests/${request.id}/accept`);
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status}`);
}

/** A messenger process the spec starts itself (a second instance of the same service). */
export type ExtraMessenger = ExtraService;

/**
 * Starts another messenger from the build global-setup made, on `port`, sharing the
 * stack's database, Kafka consumer group and Redis, with `env` on top.
 */
export const startMessenger = (
  port: number,
  env: Record<string, string> = {},
): Promise<ExtraMessenger> => startExtraService('messenger', port, env);

/** Rows of messenger's own database (the replicas and read model a client cannot see directly). */
export async function messengerRows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: serviceEnv('messenger').DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
