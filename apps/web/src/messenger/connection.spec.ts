import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { SocketApi } from '@app/contracts';
import { FakeSocket, okAck as ok } from '@app/messenger-client';
import { ApiError } from '../api/errors';
import { MessengerConnection, type SessionPort } from './connection';
import { CHAT, ME, created, message, summary } from './fixtures';
import { orderedMessages } from './state';
import { MessengerStore } from './store';

const session: SessionPort = {
  accessToken: () => Promise.resolve('token'),
  refresh: () => Promise.resolve('token'),
  end: () => undefined,
  onAccessToken: () => () => undefined,
};

describe('MessengerConnection', () => {
  let socket: FakeSocket;
  let store: MessengerStore;
  let connection: MessengerConnection;

  beforeEach(() => {
    jest.useFakeTimers();
    socket = new FakeSocket();
    store = new MessengerStore(ME);
    connection = new MessengerConnection(store, session, () => socket as never);
  });

  afterEach(() => {
    connection.stop();
    jest.useRealTimers();
  });

  /** Lets pending promise callbacks run (acks answer asynchronously). */
  const settle = () => jest.advanceTimersByTimeAsync(0);

  it('resends a message whose ack was lost with the same clientMessageId, shown once', async () => {
    socket.answers.set('chat:list', () => ok({ chats: [summary(0)] }));
    const stored = message(1, { senderId: ME, text: 'hello' });
    let attempts = 0;
    socket.answers.set('message:send', (payload: { clientMessageId: string }) => {
      attempts += 1;
      if (attempts === 1) return Promise.reject(new Error('operation has timed out'));
      return ok({ message: { ...stored, clientMessageId: payload.clientMessageId } });
    });
    connection.start();
    await settle();

    connection.send(CHAT, 'hello');
    await settle();
    expect(store.getState().chats[CHAT]!.pending).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(2_000);

    const sends = socket.emitted.filter((e) => e.event === 'message:send');
    expect(sends).toHaveLength(2);
    expect(sends[1]!.payload.clientMessageId).toBe(sends[0]!.payload.clientMessageId);
    const chat = store.getState().chats[CHAT]!;
    expect(chat.pending).toEqual([]);
    expect(orderedMessages(chat).map((m) => m.text)).toEqual(['hello']);
  });

  it('after a reconnect lists chats, syncs each from its watermark, then flushes the outbox', async () => {
    socket.answers.set('chat:list', () => ok({ chats: [summary(3)] }));
    connection.start();
    await settle();
    expect(store.getState().connection).toBe('online');

    socket.drop();
    expect(store.getState().connection).toBe('offline');
    connection.send(CHAT, 'written offline');
    await settle();
    expect(socket.events()).not.toContain('message:send');

    // Two messages arrived while away: the list says seq 5 and 2 unread, sync returns 4 and 5.
    socket.answers.set('chat:list', () => ok({ chats: [summary(5, 2)] }));
    socket.answers.set('sync', () =>
      ok({
        chats: [
          { chatId: CHAT, events: [created(message(4)), created(message(5))], hasMore: false },
        ],
      }),
    );
    socket.answers.set('message:send', (payload: { clientMessageId: string; text: string }) =>
      ok({ message: message(6, { senderId: ME, ...payload }) }),
    );
    const before = socket.emitted.length;
    socket.connect();
    await settle();

    // The UI lists chats (new ones since) while the client syncs the known ones, then sends.
    expect(socket.events().slice(before)).toEqual(['chat:list', 'sync', 'message:send']);
    expect(socket.emitted[before + 1]!.payload).toEqual({ chats: [{ chatId: CHAT, afterSeq: 3 }] });
    // A push that repeats what sync returned changes nothing.
    socket.fire('message:new', {
      message: message(5),
    } satisfies SocketApi.ServerPayload<'message:new'>);
    const chat = store.getState().chats[CHAT]!;
    expect(orderedMessages(chat).map((m) => m.seq)).toEqual([4, 5, 6]);
    expect(chat.unreadCount).toBe(2);
    expect(chat.syncedSeq).toBe(6);
  });

  it('connects again after stop and start (React runs effects twice in development)', async () => {
    connection.start();
    connection.stop();
    connection.start();
    await settle();
    expect(store.getState().connection).toBe('online');
    expect(socket.connected).toBe(true);
  });

  it('refuses a call at once while offline, sending nothing', async () => {
    const error = await connection.call('typing', { chatId: CHAT }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'CLIENT.OFFLINE' });
    expect(socket.emitted).toEqual([]);
  });
});
