import { ErrorCodes } from '@app/contracts';
import { type MessengerClient, MessengerClientError } from '@app/messenger-client';
import { randomUUID } from 'node:crypto';
import {
  type AuthGrpcClient,
  authClient,
  eventually,
  registerUser,
  type TestUser,
} from '../../../test/e2e/support/clients';
import {
  ack,
  befriend,
  type ChatView,
  collectFrom,
  connectClient,
  connected,
  MAIN_MESSENGER,
} from './support/messenger-clients';

/** The error a call must fail with. */
async function failure(call: Promise<unknown>): Promise<MessengerClientError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MessengerClientError))
    throw new Error(`expected a failure, got ${String(error)}`);
  return error;
}

/**
 * messenger's socket API as a client application uses it, through the typed SDK
 * (`@app/messenger-client`); a malformed payload goes over a raw socket.
 */
describe('messenger (socket.io)', () => {
  let auth: AuthGrpcClient;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const clients: MessengerClient[] = [];
  let a: MessengerClient;
  let b: MessengerClient;
  let c: MessengerClient;
  const open = async (token: string) => {
    const client = await connectClient(MAIN_MESSENGER, token);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    auth = authClient();
    [alice, bob, carol] = await Promise.all([
      registerUser(auth, 'alice'),
      registerUser(auth, 'bob'),
      registerUser(auth, 'carol'),
    ]);
    await befriend(alice, bob);
    [a, b, c] = await Promise.all([alice, bob, carol].map((u) => open(u.accessToken)));
  });

  afterAll(() => {
    clients.forEach((client) => client.close());
    auth?.close();
  });

  describe('handshake', () => {
    it('refuses a connection without a token', async () => {
      const error = await failure(connectClient(MAIN_MESSENGER, ''));
      expect(error).toMatchObject({
        code: ErrorCodes.UNAUTHENTICATED,
        message: 'UNAUTHENTICATED: missing token',
      });
    });

    it('refuses a connection with a token that is not a valid access token', async () => {
      const error = await failure(connectClient(MAIN_MESSENGER, 'not.a.jwt'));
      expect(error).toMatchObject({
        code: ErrorCodes.UNAUTHENTICATED,
        message: 'UNAUTHENTICATED: invalid or expired token',
      });
    });
  });

  describe('re-authentication', () => {
    it('accepts a fresh token of the same user and refuses anyone else’s', async () => {
      // A session of its own: the fresh token is its refresh (tokens carry their session, and
      // a socket renews within its session only; a new login is another session).
      const session = await auth.login({ email: alice.email, password: alice.password });
      const client = await open(session.accessToken);
      const fresh = await auth.refresh({ refreshToken: session.refreshToken });
      await expect(client.refreshAuth({ token: fresh.accessToken })).resolves.toEqual({
        expiresAt: expect.any(String),
      });

      for (const token of [bob.accessToken, alice.accessToken]) {
        const foreign = await failure(client.refreshAuth({ token }));
        expect(foreign.code).toBe(ErrorCodes.FORBIDDEN);
      }
      const garbage = await failure(client.refreshAuth({ token: 'not.a.jwt' }));
      expect(garbage.code).toBe(ErrorCodes.UNAUTHENTICATED);
      expect(client.connected).toBe(true);
    });
  });

  describe('chats and messages', () => {
    let chat: ChatView;

    beforeAll(async () => {
      ({ chat } = await a.createChat({ memberIds: [bob.userId] }));
    });

    it('creates a direct chat between friends', () => {
      expect(chat).toMatchObject({ kind: 'direct', title: null });
      expect(chat.members.map((m) => m.userId).sort()).toEqual([alice.userId, bob.userId].sort());
    });

    it('returns the same direct chat when the other friend opens it', async () => {
      const again = await b.createChat({ memberIds: [alice.userId] });
      expect(again.chat.id).toBe(chat.id);
    });

    it('refuses a direct chat with someone who is not a friend', async () => {
      const error = await failure(a.createChat({ memberIds: [carol.userId] }));
      expect(error).toMatchObject({ code: ErrorCodes.MESSENGER_NOT_FRIENDS, event: 'chat:create' });
    });

    it('delivers a message to the other member once, even when resent', async () => {
      const received = collectFrom(b, 'message:new');
      const clientMessageId = randomUUID();
      const sent = await a.send({ chatId: chat.id, clientMessageId, text: 'hello bob' });
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

      // The same clientMessageId again (a send once completed, then repeated).
      const resent = await a.send({ chatId: chat.id, clientMessageId, text: 'hello bob' });
      expect(resent.message.id).toBe(sent.message.id);
      expect(resent.message.seq).toBe(1);

      // Long enough for a second push to arrive if there were one.
      await new Promise((r) => setTimeout(r, 500));
      expect(received).toHaveLength(1);
    });

    it('numbers messages one by one and returns history newest first', async () => {
      const second = await b.send({ chatId: chat.id, text: 'hi alice' });
      const third = await a.send({ chatId: chat.id, text: 'how are you?' });
      expect([second.message.seq, third.message.seq]).toEqual([2, 3]);

      const page = await b.history({ chatId: chat.id, limit: 2 });
      expect(page.messages.map((m) => m.seq)).toEqual([3, 2]);

      const older = await b.history({ chatId: chat.id, before: page.messages[1].id });
      expect(older.messages.map((m) => m.text)).toEqual(['hello bob']);
    });

    it('lists the chat with its last message and unread count', async () => {
      const { chats } = await b.listChats();
      const listed = chats.find((x) => x.id === chat.id);
      expect(listed).toMatchObject({
        lastMessage: { seq: 3, text: 'how are you?' },
        // Bob sent seq 2, which marks the chat read up to it: only seq 3 is unread.
        unreadCount: 1,
      });
    });

    it('refuses messages and history from someone outside the chat', async () => {
      const send = await failure(c.send({ chatId: chat.id, text: 'let me in' }));
      expect(send.code).toBe(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER);

      const history = await failure(c.history({ chatId: chat.id }));
      expect(history.code).toBe(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER);
    });

    it('answers an invalid payload with COMMON.VALIDATION_FAILED', async () => {
      // A payload the typed client cannot send: a raw socket, as a hostile client would.
      const raw = await connected(MAIN_MESSENGER, alice.accessToken);
      try {
        const reply = await ack(raw, 'message:send', {
          chatId: chat.id,
          clientMessageId: randomUUID(),
        });
        expect(reply).toEqual({
          ok: false,
          error: expect.objectContaining({ code: ErrorCodes.VALIDATION_FAILED }),
        });
      } finally {
        raw.close();
      }
    });
  });
});
