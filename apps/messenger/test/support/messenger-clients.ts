import { SocketApi } from '@app/contracts';
import {
  MessengerClient,
  MessengerClientError,
  type MessengerClientEventName,
  type MessengerClientEvents,
  type MessengerClientOptions,
  type TimelineUpdate,
} from '@app/messenger-client';
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

/** The message a timeline update of the SDK created, if it created one. */
export function createdMessage(update: TimelineUpdate): MessageView | undefined {
  if (update.source === 'message:new') return update.message;
  if (update.source === 'sync' && update.event.type === 'message.created') {
    return update.event.message;
  }
  return undefined;
}

/** The member ids of a chat, in the order they joined. */
export const memberIdsOf = (chat: ChatView): string[] => chat.members.map((m) => m.userId);

/** The messenger of the e2e stack (started by global-setup). */
export const MAIN_MESSENGER = stack.messenger.http;

export { sparePort } from '../../../../test/e2e/support/extra-service';

/**
 * A connected client of messenger's SDK (`@app/messenger-client`), as applications use
 * it. It does not reconnect by itself unless `options.reconnection` says so, so a spec
 * that stops an instance sees the drop instead of retries.
 */
export async function connectClient(
  url: string,
  token: MessengerClientOptions['token'],
  options: Partial<MessengerClientOptions> = {},
): Promise<MessengerClient> {
  const client = new MessengerClient({ url, token, reconnection: false, ...options });
  try {
    await client.connect();
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}

/** Collects every `event` a client receives (a push or its own event) from now on. */
export function collectFrom<E extends MessengerClientEventName>(
  client: MessengerClient,
  event: E,
): MessengerClientEvents[E][] {
  const received: MessengerClientEvents[E][] = [];
  client.on(event, (payload) => received.push(payload));
  return received;
}

/** Sends a message through the SDK (a fresh clientMessageId) and resolves it. */
export async function sendText(
  client: MessengerClient,
  chatId: string,
  text: string,
): Promise<MessageView> {
  return (await client.send({ chatId, text })).message;
}

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

/**
 * What a spec talks through: the SDK's client as applications use it, or a raw socket
 * where the spec sends what no well-behaved client would (garbage, oversized packets).
 */
export type Peer = MessengerClient | Socket;

/**
 * Emits an event and resolves its acknowledgement as the wire carries it
 * (`{ok: true, ...}` or `{ok: false, error}`). Through the SDK's client, its typed error
 * is turned back into the error half; a client-side failure (timeout…) rejects.
 */
export async function ack<T>(peer: Peer, event: string, payload: unknown): Promise<Ack<T>> {
  if (!(peer instanceof MessengerClient)) {
    return peer.timeout(10_000).emitWithAck(event, payload) as Promise<Ack<T>>;
  }
  try {
    // Specs name events as data; the SDK's typed methods are for code that knows them.
    const body = await peer.request(event as SocketApi.ClientEventName, payload as never, {
      timeoutMs: 10_000,
    });
    return { ok: true, ...(body as T) };
  } catch (error) {
    if (error instanceof MessengerClientError && !error.code.startsWith('CLIENT.')) {
      return { ok: false, error: error.toJSON() };
    }
    throw error;
  }
}

/** Resolves the ack body of an event that must succeed. */
export async function okAck<T>(peer: Peer, event: string, payload: unknown): Promise<T> {
  const reply = await ack<T>(peer, event, payload);
  if (!reply.ok) throw new Error(`${event} failed: ${reply.error.code} ${reply.error.message}`);
  return reply;
}

/** Collects every `event` a socket or client receives from now on. */
/** What an acknowledgement refused with `code` looks like, for `toEqual`/`toMatchObject`. */
export const refusedWith = (code: string) => ({
  ok: false,
  error: expect.objectContaining({ code }) as unknown,
});

/** The payload of server push `E`. */
export type Pushed<E extends SocketApi.ServerEventName> = SocketApi.ServerPayload<E>;

export function collect<T>(peer: Peer, event: string): T[] {
  const received: T[] = [];
  if (peer instanceof MessengerClient) {
    peer.on(event as MessengerClientEventName, (payload) => received.push(payload as T));
  } else {
    peer.on(event, (payload: T) => received.push(payload));
  }
  return received;
}

/** Resolves once `list` holds an item matching `match`. */
export function waitFor<T>(list: T[], match: (item: T) => boolean, timeoutMs = 8_000): Promise<T> {
  return eventually(() => Promise.resolve(list.find(match)), timeoutMs);
}

/** Sends a message that must succeed (through the SDK: retried with its clientMessageId). */
export async function send(peer: Peer, chatId: string, text: string): Promise<MessageView> {
  if (peer instanceof MessengerClient) return sendText(peer, chatId, text);
  const { message } = await okAck<{ message: MessageView }>(peer, 'message:send', {
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
