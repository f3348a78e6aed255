import { ErrorCodes } from '@app/contracts';
import {
  ClientErrorCodes,
  type MessengerClient,
  MessengerClientError,
} from '@app/messenger-client';
import { randomUUID } from 'node:crypto';
import {
  type AuthGrpcClient,
  authClient,
  eventually,
  registerUser,
  type TestUser,
} from '../../../test/e2e/support/clients';
import { mintAccessToken } from '../../../test/e2e/support/access-tokens';
import { serviceEnv } from '../../../test/e2e/support/stack';
import {
  befriend,
  type ChatView,
  collectFrom,
  connectClient,
  createdMessage,
  type ExtraMessenger,
  MAIN_MESSENGER,
  type MessageView,
  sendText,
  sparePort,
  startMessenger,
} from './support/messenger-clients';

/** The `message:send` packets a client wrote on the wire, as the server received them. */
function outgoingSends(client: MessengerClient): string[] {
  const ids: string[] = [];
  client.socket.onAnyOutgoing((event: string, payload: { clientMessageId?: string }) => {
    if (event === 'message:send' && payload.clientMessageId) ids.push(payload.clientMessageId);
  });
  return ids;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The SDK's own guarantees (libs/messenger-client, ADR 0028) against the real stack:
 * a send is stored once however often it had to be resent, a reconnect replays what was
 * missed once and in order, a missing ack is a typed error. A second messenger instance
 * is frozen with SIGSTOP to make acks go missing for real: its socket stays open, the
 * server just does not answer until SIGCONT.
 */
describe('@app/messenger-client against the stack', () => {
  let auth: AuthGrpcClient;
  let frozen: ExtraMessenger;
  let alice: TestUser;
  let bob: TestUser;
  let chat: ChatView;
  const clients: MessengerClient[] = [];
  const open = async (
    url: string,
    user: TestUser,
    options: Parameters<typeof connectClient>[2] = {},
  ) => {
    const client = await connectClient(url, () => user.accessToken, options);
    clients.push(client);
    return client;
  };
  const freeze = () => frozen.process.kill('SIGSTOP');
  const thaw = () => frozen?.process.kill('SIGCONT');

  /** Every message of the chat with this clientMessageId, as history shows them. */
  const storedWith = async (reader: MessengerClient, clientMessageId: string) => {
    const { messages } = await reader.history({ chatId: chat.id, limit: 100 });
    return messages.filter((m) => m.clientMessageId === clientMessageId);
  };

  beforeAll(async () => {
    auth = authClient();
    [frozen, alice, bob] = await Promise.all([
      startMessenger(sparePort(50), {
        // Its own consumer group: a frozen member would stall the stack's partitions.
        KAFKA_GROUP_ID: `${serviceEnv('messenger').KAFKA_GROUP_ID}-sdk`,
      }),
      registerUser(auth, 'alice'),
      registerUser(auth, 'bob'),
    ]);
    await befriend(alice, bob);
    const a = await open(MAIN_MESSENGER, alice);
    // messenger learns of new users from auth's events: on a busy machine a moment later.
    ({ chat } = await eventually(() => a.createChat({ memberIds: [bob.userId] }), 60_000));
  }, 90_000);

  afterEach(() => {
    thaw();
    clients.splice(0).forEach((c) => c.close());
  });

  afterAll(async () => {
    auth?.close();
    await frozen?.stop();
  });

  it('answers typed ack bodies and throws the contract error with its code', async () => {
    const a = await open(MAIN_MESSENGER, alice);
    const { chats } = await a.listChats();
    expect(chats.map((c) => c.id)).toContain(chat.id);

    const error = await a.getChat({ chatId: randomUUID() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessengerClientError);
    expect(error).toMatchObject({
      code: ErrorCodes.MESSENGER_CHAT_NOT_MEMBER,
      event: 'chat:get',
    });
  });

  it('surfaces a missing acknowledgement as a typed CLIENT.TIMEOUT error', async () => {
    const a = await open(frozen.url, alice, { ackTimeoutMs: 500 });
    freeze();
    const started = Date.now();
    const error = await a.typing({ chatId: chat.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessengerClientError);
    expect(error).toMatchObject({ code: ClientErrorCodes.TIMEOUT, event: 'typing' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(a.connected).toBe(true);
  });

  it('resends a send whose ack timed out with the same clientMessageId: one message', async () => {
    const a = await open(frozen.url, alice, { ackTimeoutMs: 400, resendDelayMs: 200 });
    const b = await open(MAIN_MESSENGER, bob);
    const atBob = collectFrom(b, 'message:new');
    const wire = outgoingSends(a);
    const clientMessageId = randomUUID();

    freeze();
    const sent = a.send({ chatId: chat.id, clientMessageId, text: 'through the freeze' });
    // The first try times out and the client tries again, while the server still sleeps.
    await eventually(() => Promise.resolve(wire.length >= 2 ? true : undefined), 10_000);
    thaw();
    const { message } = await sent;

    expect(new Set(wire)).toEqual(new Set([clientMessageId]));
    expect(message.clientMessageId).toBe(clientMessageId);
    expect((await storedWith(b, clientMessageId)).map((m) => m.id)).toEqual([message.id]);
    await eventually(() =>
      Promise.resolve(atBob.some((e) => e.message.id === message.id) || undefined),
    );
    await sleep(300);
    expect(atBob.filter((e) => e.message.clientMessageId === clientMessageId)).toHaveLength(1);
  });

  it('resends after a forced disconnect with the same clientMessageId: one message', async () => {
    const a = await open(MAIN_MESSENGER, alice, {
      reconnection: true,
      socketOptions: { reconnectionDelay: 100, reconnectionDelayMax: 200 },
    });
    const b = await open(MAIN_MESSENGER, bob);
    const wire = outgoingSends(a);
    const clientMessageId = randomUUID();

    const sent = a.send({ chatId: chat.id, clientMessageId, text: 'across a drop' });
    // The packet is on the wire; the connection goes before its ack can come back.
    a.socket.io.engine.close();
    const { message } = await sent;

    expect(wire).toEqual([clientMessageId, clientMessageId]);
    expect(message.clientMessageId).toBe(clientMessageId);
    expect((await storedWith(b, clientMessageId)).map((m) => m.id)).toEqual([message.id]);
  });

  it('after a reconnect syncs what was missed: every message once, in seq order', async () => {
    const a = await open(MAIN_MESSENGER, alice);
    const b = await open(MAIN_MESSENGER, bob);
    await b.listChats(); // b now tracks the chat from its current seq
    const from = b.watermark(chat.id)!;
    const timeline = collectFrom(b, 'timeline');

    b.disconnect();
    const missed: MessageView[] = [];
    for (let i = 0; i < 5; i += 1) missed.push(await sendText(a, chat.id, `missed ${i}`));

    const synced = new Promise((resolve) => b.once('synced', resolve));
    const wire: string[] = [];
    b.socket.onAnyOutgoing((event: string) => wire.push(event));
    await b.connect();
    // Sent while the sync may still be under way: pushes and sync overlap.
    const live = [await sendText(a, chat.id, 'live 0'), await sendText(a, chat.id, 'live 1')];
    await synced;
    await eventually(() =>
      Promise.resolve(timeline.some((u) => createdMessage(u)?.id === live[1].id) || undefined),
    );
    await sleep(300);

    expect(wire).toContain('sync');
    const messages = timeline.flatMap((u) => createdMessage(u) ?? []);
    expect(messages.map((m) => m.id)).toEqual([...missed, ...live].map((m) => m.id));
    expect(timeline.map((u) => u.seq)).toEqual(
      Array.from({ length: timeline.length }, (_, i) => from + 1 + i),
    );
    expect(timeline.filter((u) => u.source === 'sync').length).toBeGreaterThanOrEqual(5);
    expect(b.watermark(chat.id)).toBe(live[1].seq);
  });

  it('surfaces auth:expired and reconnects with the token its token function gives then', async () => {
    const session = await auth.login({ email: alice.email, password: alice.password });
    const short = await mintAccessToken({ ...alice, accessToken: session.accessToken }, 2);
    let token = short.token;
    const a = await open(MAIN_MESSENGER, alice);
    const client = await connectClient(MAIN_MESSENGER, () => token);
    clients.push(client);
    await client.listChats(); // tracks the chat
    const expired = collectFrom(client, 'auth:expired');
    const statuses = collectFrom(client, 'status');

    await eventually(() => Promise.resolve(expired.length > 0 || undefined), 10_000);
    expect(expired).toEqual([
      { code: ErrorCodes.UNAUTHENTICATED, message: 'UNAUTHENTICATED: access token expired' },
    ]);
    await eventually(() => Promise.resolve(client.status === 'offline' || undefined));
    expect(statuses).toContain('offline');

    // The application refreshes and connects again: the client asks for the token anew.
    token = (await auth.refresh({ refreshToken: session.refreshToken })).accessToken;
    const whileAway = await sendText(a, chat.id, 'while the token was renewed');
    const timeline = collectFrom(client, 'timeline');
    await client.connect();
    await expect(client.getChat({ chatId: chat.id })).resolves.toMatchObject({
      chat: { id: chat.id },
    });
    await eventually(() =>
      Promise.resolve(timeline.some((u) => createdMessage(u)?.id === whileAway.id) || undefined),
    );
  });
});
