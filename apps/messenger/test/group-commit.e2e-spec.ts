import { ErrorCodes } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Socket } from 'socket.io-client';
import {
  type AuthGrpcClient,
  authClient,
  eventually,
  registerUser,
  type TestUser,
} from '../../../test/e2e/support/clients';
import { serviceEnv } from '../../../test/e2e/support/stack';
import {
  ack,
  befriend,
  type ChatView,
  collect,
  connected,
  MAIN_MESSENGER,
  type MessageView,
  messengerRows,
  okAck,
  waitFor,
} from './support/messenger-clients';

/**
 * Group commit of the send path (docs/adr/0032): writes queued in one instance are
 * committed together, across chats, by one call of `messenger_flush_timeline`. These
 * specs hold it to the send path's invariants with many writes in flight at once:
 * gapless per-chat seqs, every acknowledged message stored and pushed once in order, one
 * outbox event per change, resends answered with the stored message — and a write that
 * is refused in a flush refused alone.
 */
describe('messenger: group commit', () => {
  let auth: AuthGrpcClient;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  let eve: TestUser;
  let chats: ChatView[];
  const sockets: Socket[] = [];
  const open = async (user: TestUser) => {
    const socket = await connected(MAIN_MESSENGER, user.accessToken);
    sockets.push(socket);
    return socket;
  };
  const sendPayload = (chatId: string, text: string) => ({
    chatId,
    clientMessageId: randomUUID(),
    text,
  });

  beforeAll(async () => {
    auth = authClient();
    [alice, bob, carol, dave, eve] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave', 'eve'].map((name) => registerUser(auth, name)),
    );
    await Promise.all([bob, carol, dave].map((friend) => befriend(alice, friend)));
    const a = await open(alice);
    chats = [];
    for (let i = 0; i < 4; i += 1) {
      // messenger hears of the new users and friendships through events: retry until it has.
      const { chat } = await eventually(() =>
        okAck<{ chat: ChatView }>(a, 'chat:create', {
          memberIds: [bob.userId, carol.userId, dave.userId],
          title: `batch ${i}`,
        }),
      );
      chats.push(chat);
    }
  }, 60_000);

  afterAll(() => {
    sockets.forEach((s) => s.close());
    auth?.close();
  });

  it('commits concurrent senders across several chats together: gapless, stored, pushed once in order', async () => {
    const members = [alice, bob, carol, dave];
    const senders = await Promise.all(members.map(open));
    // A listener per member on a socket of its own: what every member's device receives.
    const listeners = await Promise.all(members.map(open));
    const received = listeners.map((s) => collect<{ message: MessageView }>(s, 'message:new'));

    // 4 senders × 4 chats × 4 messages, all in flight at once (each socket within its
    // burst of 20): they reach the server in a few I/O turns and share flushes.
    const sends = senders.flatMap((socket, i) =>
      chats.flatMap((chat) =>
        Array.from({ length: 4 }, (_, j) =>
          okAck<{ message: MessageView }>(
            socket,
            'message:send',
            sendPayload(chat.id, `from ${i} #${j}`),
          ),
        ),
      ),
    );
    const acked = (await Promise.all(sends)).map((r) => r.message);
    expect(acked).toHaveLength(64);

    for (const chat of chats) {
      const inChat = acked.filter((m) => m.chatId === chat.id);
      // Nothing else was written to these chats: their seqs are exactly 1..16.
      expect(inChat.map((m) => m.seq).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 16 }, (_, k) => k + 1),
      );
      const [{ last_seq }] = await messengerRows<{ last_seq: string }>(
        'SELECT last_seq FROM chats WHERE id = $1',
        [chat.id],
      );
      expect(Number(last_seq)).toBe(16);
    }

    // Every acknowledged message is stored, with its timeline event, and published once.
    const ids = acked.map((m) => m.id);
    const stored = await messengerRows<{ id: string; chat_id: string; created_at: Date }>(
      'SELECT id, chat_id, created_at FROM messages WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(stored).toHaveLength(64);
    const events = await messengerRows<{ message_id: string }>(
      `SELECT message_id FROM chat_events WHERE type = 'message.created' AND message_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(events).toHaveLength(64);
    const outbox = await messengerRows<{ message_id: string; n: string }>(
      `SELECT envelope -> 'payload' ->> 'messageId' AS message_id, count(*) AS n
         FROM outbox_events
        WHERE topic = 'messenger.message.sent.v1'
          AND envelope -> 'payload' ->> 'messageId' = ANY($1::text[])
        GROUP BY 1`,
      [ids],
    );
    expect(outbox).toHaveLength(64);
    expect(outbox.every((row) => Number(row.n) === 1)).toBe(true);

    // Several chats were committed by one transaction (now() is the transaction's start).
    const chatsByCommit = new Map<number, Set<string>>();
    for (const row of stored) {
      const at = new Date(row.created_at).getTime();
      chatsByCommit.set(at, (chatsByCommit.get(at) ?? new Set()).add(row.chat_id));
    }
    expect(Math.max(...[...chatsByCommit.values()].map((s) => s.size))).toBeGreaterThan(1);

    // Each member got each message exactly once, and each chat's in seq order.
    for (const list of received) {
      for (const chat of chats) {
        await waitFor(list, () => list.filter((e) => e.message.chatId === chat.id).length >= 16);
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const list of received) {
      expect(list).toHaveLength(64);
      for (const chat of chats) {
        const seqs = list.filter((e) => e.message.chatId === chat.id).map((e) => e.message.seq);
        expect(seqs).toEqual(Array.from({ length: 16 }, (_, k) => k + 1));
      }
    }
  });

  it('pushes each chat in seq order to every member while several senders per chat write at once', async () => {
    // As bench A2's second phase: three members of each chat send in closed loops (each
    // sends its next message when the last is acknowledged) and react to their own, so
    // flushes carry sends and changes of every chat; every device of every member must
    // see each chat's seqs strictly increase across `message:new` and `message:updated`.
    const mine: Socket[] = [];
    // Sockets of its own, closed at the end: each user stays under its connection limit.
    const own = async (user: TestUser) => {
      const socket = await connected(MAIN_MESSENGER, user.accessToken);
      mine.push(socket);
      return socket;
    };
    const listeners = await Promise.all([alice, bob, carol, dave].map(own));
    const seen = listeners.map(() => new Map<string, number[]>());
    listeners.forEach((socket, i) => {
      const record = (chatId: string, seq: number) => {
        const list = seen[i].get(chatId) ?? [];
        seen[i].set(chatId, [...list, seq]);
      };
      socket.on('message:new', (p: { message: MessageView }) =>
        record(p.message.chatId, p.message.seq),
      );
      socket.on('message:updated', (p: { seq: number; message: MessageView }) =>
        record(p.message.chatId, p.seq),
      );
    });
    // A socket per sender and chat: each within its rate bucket's burst.
    const senders = await Promise.all(chats.map(() => Promise.all([alice, bob, carol].map(own))));
    const before = new Map<string, number>();
    for (const chat of chats) {
      const [{ last_seq }] = await messengerRows<{ last_seq: string }>(
        'SELECT last_seq FROM chats WHERE id = $1',
        [chat.id],
      );
      before.set(chat.id, Number(last_seq));
    }

    const loop = async (socket: Socket, chat: ChatView, n: number) => {
      for (let j = 0; j < n; j += 1) {
        const { message } = await okAck<{ message: MessageView }>(
          socket,
          'message:send',
          sendPayload(chat.id, `loop ${j}`),
        );
        if (j % 3 === 0) {
          await okAck(socket, 'reaction:add', {
            chatId: chat.id,
            messageId: message.id,
            emoji: '👀',
          });
        }
      }
    };
    // 4 chats × 3 senders × (6 sends + 2 reactions): 96 seqs, 12 writers at a time.
    try {
      await Promise.all(
        chats.flatMap((chat, c) => senders[c].map((socket) => loop(socket, chat, 6))),
      );
    } finally {
      // Only the listeners are needed from here on.
      senders.flat().forEach((socket) => socket.close());
    }

    for (const chat of chats) {
      const [{ last_seq }] = await messengerRows<{ last_seq: string }>(
        'SELECT last_seq FROM chats WHERE id = $1',
        [chat.id],
      );
      const expected = Array.from(
        { length: Number(last_seq) - (before.get(chat.id) ?? 0) },
        (_, k) => (before.get(chat.id) ?? 0) + k + 1,
      );
      expect(expected).toHaveLength(24);
      for (const perChat of seen) {
        await eventually(async () =>
          (perChat.get(chat.id)?.length ?? 0) >= expected.length ? true : undefined,
        );
        // Exactly the chat's new seqs, each once, in increasing order.
        expect(perChat.get(chat.id)).toEqual(expected);
      }
    }
    mine.forEach((socket) => socket.close());
  });

  it('answers the same clientMessageId sent twice at once with one message', async () => {
    const [first, second] = await Promise.all([open(bob), open(bob)]);
    const payload = sendPayload(chats[0].id, 'twice at once');
    const [a, b] = await Promise.all([
      okAck<{ message: MessageView }>(first, 'message:send', payload),
      okAck<{ message: MessageView }>(second, 'message:send', payload),
    ]);
    expect(a.message.id).toBe(b.message.id);
    const rows = await messengerRows('SELECT 1 FROM messages WHERE client_message_id = $1', [
      payload.clientMessageId,
    ]);
    expect(rows).toHaveLength(1);
  });

  it('refuses a non-member’s writes in a flush alone and commits the others', async () => {
    // Straight to the flush function with a batch no client could assemble: members and a
    // non-member writing to the same chats, in one statement.
    const [one, two] = chats;
    const [{ last_seq: before1 }] = await messengerRows<{ last_seq: string }>(
      'SELECT last_seq FROM chats WHERE id = $1',
      [one.id],
    );
    const [{ last_seq: before2 }] = await messengerRows<{ last_seq: string }>(
      'SELECT last_seq FROM chats WHERE id = $1',
      [two.id],
    );
    const [target] = await messengerRows<{ id: string }>(
      'SELECT id FROM messages WHERE chat_id = $1 ORDER BY seq LIMIT 1',
      [one.id],
    );
    const entry = (kind: string, chatId: string, actor: TestUser, extra: object = {}) => ({
      kind,
      chat: chatId,
      actor: actor.userId,
      message: randomUUID(),
      clientMessageId: randomUUID(),
      text: `${kind} by ${actor.userId.slice(0, 4)}`,
      eventId: randomUUID(),
      headers: {},
      ...extra,
    });
    const batch = [
      entry('send', one.id, bob),
      entry('send', one.id, eve),
      entry('send', two.id, carol),
      entry('react_add', one.id, eve, { message: target.id, emoji: '👍' }),
      entry('react_add', one.id, dave, { message: target.id, emoji: '👍' }),
      entry('send', two.id, eve),
      entry('send', one.id, alice),
    ];
    const results = await messengerRows<{ entry: number; outcome: string; event_seq: string }>(
      `SELECT entry, outcome, event_seq FROM messenger_flush_timeline($1::jsonb, $2, 'messenger')`,
      [JSON.stringify(batch), new Date().toISOString()],
    );
    const b1 = Number(before1);
    const b2 = Number(before2);
    expect(results.map((r) => [r.outcome, r.event_seq && Number(r.event_seq)])).toEqual([
      ['stored', b1 + 1],
      ['not_member', null],
      ['stored', b2 + 1],
      ['not_member', null],
      ['changed', b1 + 2],
      ['not_member', null],
      ['stored', b1 + 3],
    ]);

    // Only the members' writes exist, each as one event and one outbox row.
    const storedIds = [batch[0], batch[2], batch[6]].map((e) => e.message);
    const refusedIds = [batch[1], batch[5]].map((e) => e.message);
    expect(
      await messengerRows('SELECT 1 FROM messages WHERE id = ANY($1::uuid[])', [storedIds]),
    ).toHaveLength(3);
    expect(
      await messengerRows('SELECT 1 FROM messages WHERE id = ANY($1::uuid[])', [refusedIds]),
    ).toHaveLength(0);
    const timeline = await messengerRows<{ chat_id: string; seq: string; type: string }>(
      `SELECT chat_id, seq, type FROM chat_events
        WHERE (chat_id = $1 AND seq > $2) OR (chat_id = $3 AND seq > $4)
        ORDER BY chat_id = $1 DESC, seq`,
      [one.id, b1, two.id, b2],
    );
    expect(timeline.map((e) => [e.chat_id, Number(e.seq), e.type])).toEqual([
      [one.id, b1 + 1, 'message.created'],
      [one.id, b1 + 2, 'reaction.added'],
      [one.id, b1 + 3, 'message.created'],
      [two.id, b2 + 1, 'message.created'],
    ]);
    const published = await messengerRows<{ id: string }>(
      `SELECT envelope ->> 'id' AS id FROM outbox_events WHERE event_id = ANY($1::uuid[])`,
      [batch.map((e) => e.eventId)],
    );
    expect(published.map((p) => p.id).sort()).toEqual(
      [batch[0], batch[2], batch[4], batch[6]].map((e) => e.eventId).sort(),
    );
    const reactions = await messengerRows<{ user_id: string }>(
      'SELECT user_id FROM message_reactions WHERE message_id = $1',
      [target.id],
    );
    expect(reactions.map((r) => r.user_id)).toEqual([dave.userId]);
  });

  it('looks every row up by index, even when the planner would rather scan whole tables', async () => {
    // A connection of its own that shows the plan of every statement the flush runs, and
    // where whole-table scans cost nothing to the planner: the plans a connection keeps
    // from when the tables were small. The function must probe indexes all the same.
    const client = new Client({ connectionString: serviceEnv('messenger').DATABASE_URL });
    const plans: string[] = [];
    client.on('notice', (notice) => plans.push(notice.message ?? ''));
    await client.connect();
    try {
      await client.query(`LOAD 'auto_explain'`);
      for (const setting of [
        'auto_explain.log_min_duration = 0',
        'auto_explain.log_nested_statements = on',
        'auto_explain.log_level = notice',
        'client_min_messages = notice',
        'seq_page_cost = 0',
        'cpu_tuple_cost = 0',
      ]) {
        await client.query(`SET ${setting}`);
      }
      const chat = chats[3];
      // Later sends answer the first, so the flush looks the replied-to message up too.
      const first = randomUUID();
      // More calls than PL/pgSQL makes custom plans for before it settles on a generic one.
      for (let i = 0; i < 8; i += 1) {
        const entries = [alice, bob].map((sender, k) => ({
          kind: 'send',
          chat: chat.id,
          actor: sender.userId,
          message: i === 0 && k === 0 ? first : randomUUID(),
          clientMessageId: randomUUID(),
          text: `probe ${i}`,
          replyTo: i > 0 ? first : null,
          eventId: randomUUID(),
          headers: {},
        }));
        const { rows } = await client.query<{ outcome: string }>(
          `SELECT outcome FROM messenger_flush_timeline($1::jsonb, $2, 'messenger')`,
          [JSON.stringify(entries), new Date().toISOString()],
        );
        expect(rows.map((r) => r.outcome)).toEqual(['stored', 'stored']);
      }
    } finally {
      await client.end();
    }
    const inserts = plans.filter((plan) => plan.includes('INSERT INTO messages'));
    expect(inserts).toHaveLength(8);
    expect(plans.filter((plan) => /Seq Scan|Hash Join|Merge Join/.test(plan))).toEqual([]);
  });

  it('refuses sends after a removal commits, without a gap, while other chats go on', async () => {
    const [group, other] = chats.slice(2);
    const a = await open(alice);
    const c = await open(carol);
    const d = await open(dave);
    // Carol sends while Alice removes her; Dave sends to another chat meanwhile.
    const fromCarol = Array.from({ length: 10 }, (_, i) =>
      ack<{ message: MessageView }>(c, 'message:send', sendPayload(group.id, `carol ${i}`)),
    );
    const fromDave = Array.from({ length: 10 }, (_, i) =>
      okAck<{ message: MessageView }>(d, 'message:send', sendPayload(other.id, `dave ${i}`)),
    );
    const removal = okAck(a, 'chat:members:remove', { chatId: group.id, userId: carol.userId });
    const [carolReplies, daveReplies] = await Promise.all([
      Promise.all(fromCarol),
      Promise.all(fromDave),
      removal,
    ]);
    expect(daveReplies).toHaveLength(10);

    const [{ seq: removedAt }] = await messengerRows<{ seq: string }>(
      `SELECT seq FROM chat_events WHERE chat_id = $1 AND type = 'member.removed' AND user_id = $2`,
      [group.id, carol.userId],
    );
    for (const reply of carolReplies) {
      if (reply.ok) {
        expect(reply.message.seq).toBeLessThan(Number(removedAt));
      } else {
        expect(reply.error.code).toBe(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER);
      }
    }
    // The timeline stays gapless whatever the interleaving.
    const seqs = await messengerRows<{ seq: string }>(
      'SELECT seq FROM chat_events WHERE chat_id = $1 ORDER BY seq',
      [group.id],
    );
    expect(seqs.map((r) => Number(r.seq))).toEqual(
      Array.from({ length: seqs.length }, (_, k) => k + 1),
    );
    // And the cache answers "not a member" from now on.
    expect(await ack(c, 'typing', { chatId: group.id })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: ErrorCodes.MESSENGER_CHAT_NOT_MEMBER }),
    });
  });

  it('counts unread messages from the timeline: edits and reactions do not count', async () => {
    const chat = chats[1];
    const a = await open(alice);
    const b = await open(bob);
    const unreadOf = async (socket: Socket) => {
      const { chats: list } = await okAck<{
        chats: Array<{ id: string; unreadCount: number }>;
      }>(socket, 'chat:list', {});
      return list.find((x) => x.id === chat.id)?.unreadCount;
    };
    const sent = await okAck<{ message: MessageView }>(
      a,
      'message:send',
      sendPayload(chat.id, 'read me'),
    );
    await okAck(b, 'message:read', { chatId: chat.id, messageId: sent.message.id });
    expect(await unreadOf(b)).toBe(0);

    await okAck(a, 'message:edit', { chatId: chat.id, messageId: sent.message.id, text: 'edited' });
    await okAck(a, 'reaction:add', { chatId: chat.id, messageId: sent.message.id, emoji: '🎉' });
    expect(await unreadOf(b)).toBe(0);

    await okAck(a, 'message:send', sendPayload(chat.id, 'one more'));
    await okAck(a, 'message:send', sendPayload(chat.id, 'and another'));
    expect(await unreadOf(b)).toBe(2);
    // The sender has read what they wrote.
    expect(await unreadOf(a)).toBe(0);
  });
});
