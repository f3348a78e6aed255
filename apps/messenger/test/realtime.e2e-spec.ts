import { ErrorCodes, Topics } from '@app/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { MessengerClient } from '@app/messenger-client';
import type { Socket } from 'socket.io-client';
import {
  type AuthGrpcClient,
  authClient,
  eventually,
  registerUser,
  type TestUser,
} from '../../../test/e2e/support/clients';
import { serviceEnv, stack, topic } from '../../../test/e2e/support/stack';
import {
  ack,
  befriend,
  type ChatSummary,
  type ChatView,
  collect,
  connectClient,
  connected,
  MAIN_MESSENGER,
  type MessageView,
  okAck,
  type Peer,
  send,
  waitFor,
  messengerRows,
} from './support/messenger-clients';

const url = MAIN_MESSENGER;

async function chatOf(socket: Peer, chatId: string): Promise<ChatSummary> {
  const { chats } = await okAck<{ chats: ChatSummary[] }>(socket, 'chat:list', {});
  const chat = chats.find((c) => c.id === chatId);
  if (!chat) throw new Error(`chat ${chatId} not listed`);
  return chat;
}

describe('messenger: receipts, typing, presence, bad input, user events', () => {
  let auth: AuthGrpcClient;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  // The SDK's clients, as applications talk; `raw` (Alice's) sends what none would.
  const opened: Array<{ close(): void }> = [];
  const open = async (user: TestUser) => {
    const client = await connectClient(url, user.accessToken);
    opened.push(client);
    return client;
  };
  let a: MessengerClient;
  let b: MessengerClient;
  let c: MessengerClient;
  let raw: Socket;
  let chat: ChatView;
  let group: ChatView;

  beforeAll(async () => {
    auth = authClient();
    [alice, bob, carol] = await Promise.all([
      registerUser(auth, 'alice'),
      registerUser(auth, 'bob'),
      registerUser(auth, 'carol'),
    ]);
    // A group's members must be friends of its creator.
    await Promise.all([befriend(alice, bob), befriend(alice, carol)]);
    [a, b, c] = await Promise.all([alice, bob, carol].map(open));
    raw = await connected(url, alice.accessToken);
    opened.push(raw);
    ({ chat } = await okAck<{ chat: ChatView }>(a, 'chat:create', { memberIds: [bob.userId] }));
    ({ chat: group } = await okAck<{ chat: ChatView }>(a, 'chat:create', {
      memberIds: [bob.userId, carol.userId],
      title: 'trio',
    }));
  });

  afterAll(() => {
    opened.forEach((s) => s.close());
    auth?.close();
  });

  describe('receipts and the chat list read model', () => {
    it('counts unread messages per member and moves the read marker only forward', async () => {
      const first = await send(a, chat.id, 'one');
      await send(a, chat.id, 'two');
      const third = await send(a, chat.id, 'three');

      expect(await chatOf(b, chat.id)).toMatchObject({
        unreadCount: 3,
        lastMessage: { id: third.id, seq: 3, text: 'three' },
      });
      // The sender has read what they wrote.
      expect((await chatOf(a, chat.id)).unreadCount).toBe(0);

      const receipts = collect<{ chatId: string; userId: string; messageId: string }>(
        a,
        'message:read',
      );
      await okAck(b, 'message:read', { chatId: chat.id, messageId: third.id });
      expect((await chatOf(b, chat.id)).unreadCount).toBe(0);
      await waitFor(receipts, (r) => r.messageId === third.id);
      expect(receipts).toEqual([{ chatId: chat.id, userId: bob.userId, messageId: third.id }]);

      // Reading an older message does not move the marker back, nor tell anybody.
      await okAck(b, 'message:read', { chatId: chat.id, messageId: first.id });
      await new Promise((r) => setTimeout(r, 300));
      expect((await chatOf(b, chat.id)).unreadCount).toBe(0);
      expect(receipts).toHaveLength(1);

      await send(a, chat.id, 'four');
      expect((await chatOf(b, chat.id)).unreadCount).toBe(1);
    });

    it('refuses to mark a message of another chat as read', async () => {
      const other = await send(a, group.id, 'in the group');
      const reply = await ack(b, 'message:read', { chatId: chat.id, messageId: other.id });
      expect(reply).toEqual({
        ok: false,
        error: expect.objectContaining({ code: ErrorCodes.VALIDATION_FAILED }),
      });
    });
  });

  it('relays typing to the other members only', async () => {
    const atBob = collect<{ chatId: string; userId: string }>(b, 'typing');
    const atCarol = collect<{ chatId: string; userId: string }>(c, 'typing');
    const atAlice = collect<{ chatId: string; userId: string }>(a, 'typing');

    await okAck(a, 'typing', { chatId: group.id });

    await waitFor(atBob, (t) => t.chatId === group.id);
    await waitFor(atCarol, (t) => t.chatId === group.id);
    expect(atBob).toEqual([{ chatId: group.id, userId: alice.userId }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(atAlice).toHaveLength(0);
  });

  it('keeps seq gapless and unique under concurrent senders', async () => {
    // Fresh clients: each socket has its whole per-second budget for the race.
    const senders = await Promise.all([alice, bob, carol, alice, bob, carol].map(open));
    const before = (await chatOf(a, group.id)).lastMessage?.seq ?? 0;

    // Each socket stays under its per-second budget; together they race for the row lock.
    const sent = await Promise.all(
      senders.flatMap((socket, i) =>
        Array.from({ length: 5 }, (_, j) => send(socket, group.id, `race ${i}-${j}`)),
      ),
    );

    const seqs = sent.map((m) => m.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: sent.length }, (_, k) => before + k + 1));
  });

  describe('presence', () => {
    it('tells friends when a user comes online and, after the debounce, goes offline', async () => {
      const [dave, erin] = await Promise.all([
        registerUser(auth, 'dave'),
        registerUser(auth, 'erin'),
      ]);
      await befriend(dave, erin);
      // Friends for presence come from messenger's replica, fed by friends' events.
      await eventually(async () => {
        const rows = await messengerRows(
          'SELECT 1 FROM friendships WHERE user_id = $1 AND friend_id = $2',
          [dave.userId, erin.userId],
        );
        return rows.length > 0 ? true : undefined;
      });
      const e = await open(erin);
      const seen = collect<{ userId: string; online: boolean }>(e, 'presence');
      const atCarol = collect<{ userId: string; online: boolean }>(c, 'presence');

      const phone = await open(dave);
      await waitFor(seen, (p) => p.userId === dave.userId && p.online);

      // A second device and a quick reconnect change nothing for friends.
      const laptop = await open(dave);
      phone.close();
      const closedAt = Date.now();
      laptop.close();
      await waitFor(seen, (p) => p.userId === dave.userId && !p.online, 10_000);
      expect(Date.now() - closedAt).toBeGreaterThanOrEqual(2_000); // PRESENCE_OFFLINE_DELAY_MS
      expect(seen.filter((p) => p.userId === dave.userId)).toEqual([
        { userId: dave.userId, online: true, lastSeenAt: expect.any(String) },
        { userId: dave.userId, online: false, lastSeenAt: expect.any(String) },
      ]);
      // Not a friend: hears nothing.
      expect(atCarol.filter((p) => p.userId === dave.userId)).toHaveLength(0);
    });
  });

  describe('bad input', () => {
    it.each([
      ['chat:create', { memberIds: 'everyone' }],
      ['chat:list', { admin: true }],
      ['message:send', { chatId: 'x', clientMessageId: 1, text: 'hi' }],
      ['message:send', { chatId: randomUUID(), clientMessageId: 'k', text: 'x'.repeat(4001) }],
      ['message:history', { chatId: randomUUID(), limit: 'all' }],
      ['message:read', { chatId: randomUUID() }],
      ['typing', { chatId: randomUUID(), extra: 1 }],
      ['sync', { chats: [{ chatId: randomUUID(), afterSeq: -1 }] }],
      ['sync', { chats: [{ chatId: randomUUID(), afterSeq: 0, sql: 'drop' }] }],
      ['message:send', 'just a string'],
      ['message:send', null],
    ])('answers %s %#: a bad payload with COMMON.VALIDATION_FAILED', async (event, payload) => {
      // Payloads the typed client would not let through: a raw socket, as a hostile client.
      const reply = await ack(raw, event, payload);
      expect(reply).toEqual({
        ok: false,
        error: expect.objectContaining({ code: ErrorCodes.VALIDATION_FAILED }),
      });
    });

    it('answers a non-member with CHAT.NOT_MEMBER on every chat event, with no effect', async () => {
      const last = (await chatOf(a, chat.id)).lastMessage as MessageView;
      const atBob = collect(b, 'typing');
      const attempts: Array<[string, unknown]> = [
        ['message:send', { chatId: chat.id, clientMessageId: randomUUID(), text: 'let me in' }],
        ['message:history', { chatId: chat.id }],
        ['message:read', { chatId: chat.id, messageId: last.id }],
        ['typing', { chatId: chat.id }],
        ['sync', { chats: [{ chatId: chat.id, afterSeq: 0 }] }],
        // A chat that does not exist gets the same answer: ids reveal nothing.
        ['message:history', { chatId: randomUUID() }],
      ];
      for (const [event, payload] of attempts) {
        const reply = await ack(c, event, payload);
        expect({ event, reply }).toEqual({
          event,
          reply: {
            ok: false,
            error: expect.objectContaining({ code: ErrorCodes.MESSENGER_CHAT_NOT_MEMBER }),
          },
        });
      }
      expect((await chatOf(a, chat.id)).lastMessage?.id).toBe(last.id);
      expect(atBob).toHaveLength(0);
    });

    it('survives garbage and still serves the same socket', async () => {
      raw.emit('message:send', { chatId: { $gt: '' } });
      raw.emit('no-such-event', 1, 2, 3);
      raw.emit('sync', { chats: new Array(51).fill({ chatId: randomUUID(), afterSeq: 0 }) });
      const { chats } = await okAck<{ chats: ChatSummary[] }>(raw, 'chat:list', {});
      expect(chats.length).toBeGreaterThan(0);
    });
  });

  describe('user events', () => {
    it('shows member names from profile updates in chat:list', async () => {
      const displayName = `Alice ${randomUUID().slice(0, 6)}`;
      const response = await fetch(`${stack.profile.http}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${alice.accessToken}`,
        },
        body: JSON.stringify({
          query: 'mutation($d: String) { updateProfile(input: {displayName: $d}) { id } }',
          variables: { d: displayName },
        }),
      });
      expect(response.status).toBe(200);

      const member = await eventually(async () => {
        const listed = await chatOf(b, chat.id);
        const found = listed.members.find((m) => m.userId === alice.userId);
        return found?.displayName === displayName ? found : undefined;
      });
      expect(member).toEqual({
        userId: alice.userId,
        role: 'member',
        lastReadSeq: expect.any(Number),
        nickname: alice.nickname,
        displayName,
      });
    });

    it('erases a deleted account’s messages and memberships', async () => {
      const kafka = new Kafka({
        clientId: 'messenger-e2e',
        brokers: serviceEnv('messenger').KAFKA_BROKERS.split(','),
        logLevel: logLevel.NOTHING,
      });
      const producer = kafka.producer();
      await producer.connect();
      try {
        await producer.send({
          topic: topic(Topics.UserDeleted),
          messages: [
            {
              key: carol.userId,
              value: JSON.stringify({
                id: randomUUID(),
                type: Topics.UserDeleted,
                version: 1,
                occurredAt: new Date().toISOString(),
                producer: 'messenger-e2e',
                payload: { userId: carol.userId },
              }),
            },
          ],
        });
      } finally {
        await producer.disconnect();
      }

      await eventually(async () => {
        const listed = await chatOf(a, group.id);
        return listed.members.some((m) => m.userId === carol.userId) ? undefined : listed;
      });
      const { messages } = await okAck<{ messages: MessageView[] }>(a, 'message:history', {
        chatId: group.id,
        limit: 100,
      });
      expect(messages.length).toBeGreaterThan(0);
      // Tombstones keep the seqs of other members' timelines; nothing of the text is left.
      const carols = messages.filter((m) => m.senderId === carol.userId);
      expect(carols.length).toBeGreaterThan(0);
      expect(carols.every((m) => m.text === '' && m.deletedAt !== null)).toBe(true);
      expect(
        await messengerRows(`SELECT 1 FROM messages WHERE sender_id = $1 AND text <> ''`, [
          carol.userId,
        ]),
      ).toHaveLength(0);
    });
  });
});
