import { ErrorCodes } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import {
  type AuthGrpcClient,
  authClient,
  connectMessenger,
  eventually,
  registerUser,
  type TestUser,
} from '../../../test/e2e/support/clients';
import { stack } from '../../../test/e2e/support/stack';

interface AckError {
  code: string;
  message: string;
}
type Ack<T> = ({ ok: true } & T) | { ok: false; error: AckError };

interface ChatView {
  id: string;
  kind: 'direct' | 'group';
  title: string | null;
  members: Array<{ userId: string; role: string; lastReadSeq: number }>;
  createdAt: string;
}
interface MessageView {
  id: string;
  chatId: string;
  senderId: string;
  text: string;
  seq: number;
  createdAt: string;
  clientMessageId: string;
}

/** Opens a socket and resolves once the server accepted it. */
function connected(token: string): Promise<Socket> {
  const socket = connectMessenger(token);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Resolves the `connect_error` of a connection that must be refused. */
function refused(token?: string): Promise<Error> {
  const socket = connectMessenger(token);
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
function ack<T>(socket: Socket, event: string, payload: unknown): Promise<Ack<T>> {
  return socket.timeout(10_000).emitWithAck(event, payload) as Promise<Ack<T>>;
}

/** Resolves the ack body of an event that must succeed. */
async function okAck<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  const reply = await ack<T>(socket, event, payload);
  if (!reply.ok) throw new Error(`${event} failed: ${reply.error.code} ${reply.error.message}`);
  return reply;
}

/** Calls friends' REST API as `user`. */
async function friendsApi(user: TestUser, path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.friends.http}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${user.accessToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Makes `a` and `b` friends through friends' public API, as two users would. */
async function befriend(a: TestUser, b: TestUser): Promise<void> {
  // friends learns of new users from auth's events: retry until it knows `b`.
  const request = await eventually(async () => {
    const response = await friendsApi(a, '/v1/friends/requests', { userId: b.userId });
    if (response.status !== 201) throw new Error(`friend request: ${response.status}`);
    return (await response.json()) as { id: string };
  });
  const accepted = await friendsApi(b, `/v1/friends/requests/${request.id}/accept`);
  expect(accepted.status).toBe(200);
}

describe('messenger (socket.io)', () => {
  let auth: AuthGrpcClient;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const sockets: Socket[] = [];
  let a: Socket;
  let b: Socket;
  let c: Socket;

  beforeAll(async () => {
    auth = authClient();
    [alice, bob, carol] = await Promise.all([
      registerUser(auth, 'alice'),
      registerUser(auth, 'bob'),
      registerUser(auth, 'carol'),
    ]);
    await befriend(alice, bob);
    [a, b, c] = await Promise.all([alice, bob, carol].map((u) => connected(u.accessToken)));
    sockets.push(a, b, c);
  });

  afterAll(() => {
    sockets.forEach((s) => s.close());
    auth?.close();
  });

  describe('handshake', () => {
    it('refuses a connection without a token', async () => {
      const error = await refused();
      expect(error.message).toBe('UNAUTHENTICATED: missing token');
    });

    it('refuses a connection with a token that is not a valid access token', async () => {
      const error = await refused('not.a.jwt');
      expect(error.message).toBe('UNAUTHENTICATED: invalid or expired token');
    });
  });

  describe('re-authentication', () => {
    it('accepts a fresh token of the same user and refuses anyone else’s', async () => {
      // A session of its own: the fresh token is its refresh (tokens carry their session, and
      // a socket renews within its session only; a new login is another session).
      const session = await auth.login({ email: alice.email, password: alice.password });
      const socket = await connected(session.accessToken);
      sockets.push(socket);
      const fresh = await auth.refresh({ refreshToken: session.refreshToken });
      const renewed = await ack<{ expiresAt: string }>(socket, 'auth:refresh', {
        token: fresh.accessToken,
      });
      expect(renewed).toEqual({ ok: true, expiresAt: expect.any(String) });

      for (const token of [bob.accessToken, alice.accessToken]) {
        const foreign = await ack(socket, 'auth:refresh', { token });
        expect(foreign).toEqual({
          ok: false,
          error: expect.objectContaining({ code: ErrorCodes.FORBIDDEN }),
        });
      }
      const garbage = await ack(socket, 'auth:refresh', { token: 'not.a.jwt' });
      expect(garbage).toEqual({
        ok: false,
        error: expect.objectContaining({ code: ErrorCodes.UNAUTHENTICATED }),
      });
      expect(socket.connected).toBe(true);
    });
  });

  describe('chats and messages', () => {
    let chat: ChatView;

    beforeAll(async () => {
      ({ chat } = await okAck<{ chat: ChatView }>(a, 'chat:create', { memberIds: [bob.userId] }));
    });

    it('creates a direct chat between friends', () => {
      expect(chat).toMatchObject({ kind: 'direct', title: null });
      expect(chat.members.map((m) => m.userId).sort()).toEqual([alice.userId, bob.userId].sort());
    });

    it('returns the same direct chat when the other friend opens it', async () => {
      const again = await okAck<{ chat: ChatView }>(b, 'chat:create', {
        memberIds: [alice.userId],
      });
      expect(again.chat.id).toBe(chat.id);
    });

    it('refuses a direct chat with someone who is not a friend', async () => {
      const reply = await ack(a, 'chat:create', { memberIds: [carol.userId] });
      expect(reply).toEqual({
        ok: false,
        error: expect.objectContaining({ code: ErrorCodes.MESSENGER_NOT_FRIENDS }),
      });
    });

    it('delivers a message to the other member once, even when resent', async () => {
      const received: Array<{ message: MessageView }> = [];
      const onNew = (event: { message: MessageView }) => received.push(event);
      b.on('message:new', onNew);
      try {
        const clientMessageId = randomUUID();
        const sent = await okAck<{ message: MessageView }>(a, 'message:send', {
          chatId: chat.id,
          clientMessageId,
          text: 'hello bob',
        });
        expect(sent.message).toMatchObject({
          chatId: chat.id,
          senderId: alice.userId,
          text: 'hello bob',
          seq: 1,
          clientMessageId,
        });

        await eventually(async () => (received.length > 0 ? true : undefined), 5_000);
        expect(received[0].message).toMatchObject({
          id: sent.message.id,
          text: 'hello bob',
          seq: 1,
        });

        const resent = await okAck<{ message: MessageView }>(a, 'message:send', {
          chatId: chat.id,
          clientMessageId,
          text: 'hello bob',
        });
        expect(resent.message.id).toBe(sent.message.id);
        expect(resent.message.seq).toBe(1);

        // Long enough for a second push to arrive if there were one.
        await new Promise((r) => setTimeout(r, 500));
        expect(received).toHaveLength(1);
      } finally {
        b.off('message:new', onNew);
      }
    });

    it('numbers messages one by one and returns history newest first', async () => {
      const second = await okAck<{ message: MessageView }>(b, 'message:send', {
        chatId: chat.id,
        clientMessageId: randomUUID(),
        text: 'hi alice',
      });
      const third = await okAck<{ message: MessageView }>(a, 'message:send', {
        chatId: chat.id,
        clientMessageId: randomUUID(),
        text: 'how are you?',
      });
      expect([second.message.seq, third.message.seq]).toEqual([2, 3]);

      const page = await okAck<{ messages: MessageView[] }>(b, 'message:history', {
        chatId: chat.id,
        limit: 2,
      });
      expect(page.messages.map((m) => m.seq)).toEqual([3, 2]);

      const older = await okAck<{ messages: MessageView[] }>(b, 'message:history', {
        chatId: chat.id,
        before: page.messages[1].id,
      });
      expect(older.messages.map((m) => m.text)).toEqual(['hello bob']);
    });

    it('lists the chat with its last message and unread count', async () => {
      const { chats } = await okAck<{
        chats: Array<ChatView & { lastMessage: MessageView | null; unreadCount: number }>;
      }>(b, 'chat:list', {});
      const listed = chats.find((x) => x.id === chat.id);
      expect(listed).toMatchObject({
        lastMessage: { seq: 3, text: 'how are you?' },
        // Bob sent seq 2, which marks the chat read up to it: only seq 3 is unread.
        unreadCount: 1,
      });
    });

    it('refuses messages and history from someone outside the chat', async () => {
      const send = await ack(c, 'message:send', {
        chatId: chat.id,
        clientMessageId: randomUUID(),
        text: 'let me in',
      });
      expect(send).toEqual({
        ok: false,
        error: expect.objectContaining({ code: ErrorCodes.MESSENGER_CHAT_NOT_MEMBER }),
      });

      const history = await ack(c, 'message:history', { chatId: chat.id });
      expect(history).toEqual({
        ok: false,
        error: expect.objectContaining({ code: ErrorCodes.MESSENGER_CHAT_NOT_MEMBER }),
      });
    });

    it('answers an invalid payload with COMMON.VALIDATION_FAILED', async () => {
      const reply = await ack(a, 'message:send', {
        chatId: chat.id,
        clientMessageId: randomUUID(),
      });
      expect(reply).toEqual({
        ok: false,
        error: expect.objectContaining({ code: ErrorCodes.VALIDATION_FAILED }),
      });
    });
  });
});
