import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { SocketApi } from '@app/contracts';
import { MessengerClient } from './messenger-client';
import { ClientErrorCodes, MessengerClientError } from './messenger-client.errors';
import { FakeSocket, ok, refused, timedOut } from './testing/fake-socket';
import type { TimelineUpdate } from './timeline-tracker';

const ME = '00000000-0000-4000-8000-000000000001';
const BOB = '00000000-0000-4000-8000-000000000002';
const CHAT = '00000000-0000-4000-8000-0000000000c1';
const OTHER = '00000000-0000-4000-8000-0000000000c2';

const chat = (id: string, lastSeq: number): SocketApi.Chat => ({
  id,
  kind: 'direct',
  title: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastSeq,
  members: [
    { userId: ME, role: 'member', lastReadSeq: 0 },
    { userId: BOB, role: 'member', lastReadSeq: 0 },
  ],
});

const message = (seq: number, over: Partial<SocketApi.Message> = {}): SocketApi.Message => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  chatId: CHAT,
  senderId: BOB,
  text: `message ${seq}`,
  seq,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  clientMessageId: `c${seq}`,
  replyToId: null,
  editedAt: null,
  deletedAt: null,
  reactions: [],
  ...over,
});

const created = (m: SocketApi.Message): SocketApi.TimelineEvent => ({
  seq: m.seq,
  type: 'message.created',
  actorId: m.senderId,
  at: m.createdAt,
  message: m,
});

describe('MessengerClient', () => {
  let socket: FakeSocket;
  let client: MessengerClient;
  let timeline: TimelineUpdate[];
  let tokens: string[];

  beforeEach(() => {
    jest.useFakeTimers();
    tokens = ['first', 'second', 'third'];
    let next = 0;
    client = new MessengerClient({
      url: 'http://messenger.test',
      token: () => tokens[next++],
      ackTimeoutMs: 1_000,
      resendDelayMs: 500,
      gapGraceMs: 100,
      createSocket: (_url, options) => (socket = new FakeSocket(options)) as never,
    });
    timeline = [];
    client.on('timeline', (update) => timeline.push(update));
  });

  afterEach(() => {
    client.close();
    jest.useRealTimers();
  });

  /** Lets pending promise callbacks run (acks answer asynchronously). */
  const settle = () => jest.advanceTimersByTimeAsync(0);
  const seqs = () => timeline.map((u) => `${u.source}:${u.seq}`);

  describe('calls', () => {
    it('answers the acknowledgement body without `ok`', async () => {
      socket.answers.set('chat:get', () => ok({ chat: chat(CHAT, 4) }));
      await client.connect();
      await expect(client.getChat({ chatId: CHAT })).resolves.toEqual({ chat: chat(CHAT, 4) });
      expect(client.watermark(CHAT)).toBe(4);
    });

    it('throws the error acknowledgement as a typed error with its code', async () => {
      socket.answers.set('message:edit', () => refused('MESSENGER.FORBIDDEN', 'not yours'));
      await client.connect();
      const error = await client
        .editMessage({ chatId: CHAT, messageId: message(1).id, text: 'x' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessengerClientError);
      expect(error).toMatchObject({
        code: 'MESSENGER.FORBIDDEN',
        message: 'not yours',
        event: 'message:edit',
      });
    });

    it('fails with CLIENT.TIMEOUT when no acknowledgement comes in time', async () => {
      socket.answers.set('typing', timedOut);
      await client.connect();
      await expect(client.typing({ chatId: CHAT })).rejects.toMatchObject({
        code: ClientErrorCodes.TIMEOUT,
      });
    });

    it('refuses at once while offline, sending nothing', async () => {
      await expect(client.typing({ chatId: CHAT })).rejects.toMatchObject({
        code: ClientErrorCodes.OFFLINE,
      });
      expect(socket.emitted).toEqual([]);
    });

    it('treats an answer outside the contract as CLIENT.BAD_ANSWER', async () => {
      socket.answers.set('typing', () => Promise.resolve('yes'));
      await client.connect();
      await expect(client.typing({ chatId: CHAT })).rejects.toMatchObject({
        code: ClientErrorCodes.BAD_ANSWER,
      });
    });
  });

  describe('sends', () => {
    it('resends after a timeout with the same clientMessageId and resolves once', async () => {
      let attempts = 0;
      socket.answers.set('message:send', (payload: { clientMessageId: string }) => {
        attempts += 1;
        return attempts === 1
          ? timedOut()
          : ok({ message: message(1, { senderId: ME, clientMessageId: payload.clientMessageId }) });
      });
      await client.connect();
      await settle(); // the connect's own catch-up is done
      const sent = client.send({ chatId: CHAT, text: 'hello' });
      await settle();
      expect(client.pendingSends()).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(500);

      const { message: stored } = await sent;
      const sends = socket.emitted.filter((e) => e.event === 'message:send');
      expect(sends).toHaveLength(2);
      expect(sends[1].payload.clientMessageId).toBe(sends[0].payload.clientMessageId);
      expect(stored.clientMessageId).toBe(sends[0].payload.clientMessageId);
      expect(client.pendingSends()).toEqual([]);
      expect(seqs()).toEqual(['message:new:1']);
    });

    it('resends after the connection dropped mid-send, once reconnected', async () => {
      socket.answers.set('message:send', socket.hang);
      await client.connect();
      const sent = client.send({ chatId: CHAT, text: 'hello', clientMessageId: 'mine-1' });
      await settle();
      socket.drop();
      await settle();
      socket.answers.set('message:send', () =>
        ok({ message: message(1, { senderId: ME, clientMessageId: 'mine-1' }) }),
      );
      socket.connect();
      await settle();
      await expect(sent).resolves.toMatchObject({ message: { clientMessageId: 'mine-1' } });
      expect(
        socket.emitted
          .filter((e) => e.event === 'message:send')
          .map((e) => e.payload.clientMessageId),
      ).toEqual(['mine-1', 'mine-1']);
    });

    it('queues a send made offline and sends it after the next connect', async () => {
      const sent = client.send({ chatId: CHAT, text: 'offline', clientMessageId: 'q-1' });
      await settle();
      expect(socket.emitted).toEqual([]);
      socket.answers.set('message:send', () =>
        ok({ message: message(1, { clientMessageId: 'q-1' }) }),
      );
      await client.connect();
      await expect(sent).resolves.toMatchObject({ message: { seq: 1 } });
    });

    it('fails a send the server refuses for good, without retrying', async () => {
      socket.answers.set('message:send', () => refused('MESSENGER.NOT_FRIENDS'));
      await client.connect();
      await expect(client.send({ chatId: CHAT, text: 'x' })).rejects.toMatchObject({
        code: 'MESSENGER.NOT_FRIENDS',
      });
      await jest.advanceTimersByTimeAsync(5_000);
      expect(socket.events().filter((e) => e === 'message:send')).toHaveLength(1);
    });

    it('gives up after maxSendAttempts, and on cancel and close', async () => {
      const limited = new MessengerClient({
        url: 'http://messenger.test',
        token: 't',
        maxSendAttempts: 2,
        resendDelayMs: 10,
        createSocket: (_url, options) => (socket = new FakeSocket(options)) as never,
      });
      socket.answers.set('message:send', timedOut);
      await limited.connect();
      const gaveUp = limited.send({ chatId: CHAT, text: 'x' }).catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(100);
      expect(await gaveUp).toMatchObject({ code: ClientErrorCodes.TIMEOUT });

      socket.answers.set('message:send', socket.hang);
      const cancelled = limited.send({ chatId: CHAT, text: 'y', clientMessageId: 'y' });
      const closed = limited.send({ chatId: CHAT, text: 'z', clientMessageId: 'z' });
      limited.cancelSend('y');
      limited.close();
      await expect(cancelled).rejects.toMatchObject({ code: ClientErrorCodes.CANCELLED });
      await expect(closed).rejects.toMatchObject({ code: ClientErrorCodes.CLOSED });
    });
  });

  it('refuses options it cannot work with', () => {
    const make = (options: object) => () =>
      new MessengerClient({
        token: 't',
        createSocket: () => new FakeSocket() as never,
        ...options,
      });
    expect(make({ ackTimeoutMs: -1 })).toThrow(RangeError);
    expect(make({ resendDelayMs: Number.NaN })).toThrow(RangeError);
    expect(make({ maxSendAttempts: 0 })).toThrow(RangeError);
  });

  describe('timeline', () => {
    it('delivers pushes in seq order once, holding one that skips seqs until sync fills the gap', async () => {
      socket.answers.set('chat:list', () =>
        ok({ chats: [{ ...chat(CHAT, 2), lastMessage: null, unreadCount: 0 }] }),
      );
      await client.connect();
      await client.listChats();

      socket.fire('message:new', { message: message(3) });
      socket.fire('message:new', { message: message(3) });
      socket.fire('message:new', { message: message(5) });
      expect(seqs()).toEqual(['message:new:3']);

      socket.answers.set('sync', () =>
        ok({
          chats: [
            { chatId: CHAT, events: [created(message(4)), created(message(5))], hasMore: false },
          ],
        }),
      );
      await jest.advanceTimersByTimeAsync(100);
      expect(socket.emitted.at(-1)).toEqual({
        event: 'sync',
        payload: { chats: [{ chatId: CHAT, afterSeq: 3 }] },
      });
      expect(seqs()).toEqual(['message:new:3', 'sync:4', 'sync:5']);
      expect(client.watermark(CHAT)).toBe(5);
    });

    it('after a reconnect syncs every tracked chat from its watermark, paging on hasMore, then sends', async () => {
      await client.connect();
      await settle();
      client.track(CHAT, 3);
      client.track(OTHER, 7);
      socket.drop();
      const sent = client.send({ chatId: CHAT, text: 'written offline', clientMessageId: 'w' });

      let syncCalls = 0;
      socket.answers.set('sync', (payload: SocketApi.ClientPayload<'sync'>) => {
        syncCalls += 1;
        if (syncCalls === 1) {
          expect(payload.chats).toEqual([
            { chatId: CHAT, afterSeq: 3 },
            { chatId: OTHER, afterSeq: 7 },
          ]);
          return ok({
            chats: [
              { chatId: CHAT, events: [created(message(4))], hasMore: true },
              { chatId: OTHER, events: [], hasMore: false },
            ],
          });
        }
        expect(payload.chats).toEqual([{ chatId: CHAT, afterSeq: 4 }]);
        return ok({ chats: [{ chatId: CHAT, events: [created(message(5))], hasMore: false }] });
      });
      socket.answers.set('message:send', () =>
        ok({ message: message(6, { senderId: ME, clientMessageId: 'w' }) }),
      );
      const synced = new Promise((resolve) => client.once('synced', resolve));
      socket.connect();
      await settle();

      await expect(synced).resolves.toEqual({ chatIds: [CHAT, OTHER] });
      await expect(sent).resolves.toMatchObject({ message: { seq: 6 } });
      expect(socket.events()).toEqual(['sync', 'sync', 'message:send']);
      // A push repeating what sync returned, and the send's own push, change nothing.
      socket.fire('message:new', { message: message(5) });
      socket.fire('message:new', { message: message(6, { senderId: ME, clientMessageId: 'w' }) });
      expect(seqs()).toEqual(['sync:4', 'sync:5', 'message:new:6']);
    });

    it('stops tracking a chat sync refuses, and still syncs the others', async () => {
      await client.connect();
      client.track(CHAT, 1);
      client.track(OTHER, 1);
      socket.answers.set('sync', (payload: SocketApi.ClientPayload<'sync'>) =>
        payload.chats.some((c) => c.chatId === OTHER)
          ? refused('CHAT.NOT_MEMBER')
          : ok({ chats: [{ chatId: CHAT, events: [created(message(2))], hasMore: false }] }),
      );
      await expect(client.syncAll()).resolves.toBe(true);
      expect(seqs()).toEqual(['sync:2']);
      expect(client.watermark(OTHER)).toBeUndefined();
    });
  });

  describe('authentication', () => {
    it('asks the token function at every connect', async () => {
      await client.connect();
      client.disconnect();
      await client.connect();
      expect(socket.handshakes).toEqual([{ token: 'first' }, { token: 'second' }]);
    });

    it('surfaces auth:expired pushed before the server closes the socket', async () => {
      await client.connect();
      const expired: unknown[] = [];
      client.on('auth:expired', (payload) => expired.push(payload));
      socket.fire('auth:expired', { code: 'COMMON.UNAUTHENTICATED', message: 'expired' });
      socket.active = false;
      socket.drop('io server disconnect');
      expect(expired).toEqual([{ code: 'COMMON.UNAUTHENTICATED', message: 'expired' }]);
      expect(client.status).toBe('offline');
    });

    it('rejects connect with the refusal and surfaces auth:expired for a refused token', async () => {
      const expired: unknown[] = [];
      client.on('auth:expired', (payload) => expired.push(payload));
      socket.refuseWith = Object.assign(new Error('UNAUTHENTICATED: invalid or expired token'), {
        data: { code: 'COMMON.UNAUTHENTICATED' },
      });
      await expect(client.connect()).rejects.toMatchObject({ code: 'COMMON.UNAUTHENTICATED' });
      expect(expired).toHaveLength(1);
    });
  });
});
