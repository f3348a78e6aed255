import { ErrorCodes, SocketApi, Topics } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import type { MessengerClient } from '@app/messenger-client';
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
  collect,
  connectClient,
  friendsApi,
  MAIN_MESSENGER,
  memberIdsOf,
  type MessageView,
  messengerRows,
  okAck,
  send,
  type TimelineEvent,
  waitFor,
  refusedWith,
  type Pushed,
} from './support/messenger-clients';
import { messageSearchQuery } from '../src/messages/message-search.query';

describe('messenger: the chat timeline and its permissions', () => {
  let auth: AuthGrpcClient;
  // Every user talks through the typed SDK, as applications do.
  const clients: MessengerClient[] = [];
  const open = async (user: TestUser) => {
    const client = await connectClient(MAIN_MESSENGER, user.accessToken);
    clients.push(client);
    return client;
  };
  let users: TestUser[];

  beforeAll(async () => {
    auth = authClient();
    users = await Promise.all(
      ['ana', 'ben', 'cid', 'dot', 'eve', 'fay'].map((name) => registerUser(auth, name)),
    );
  });

  afterAll(() => {
    clients.forEach((client) => client.close());
    auth?.close();
  });

  describe('friendship and blocks, on every write', () => {
    it('refuses a group with someone who blocks the creator, and one of made-up ids', async () => {
      const [ana, ben, cid] = users;
      await Promise.all([befriend(ana, ben), befriend(ana, cid)]);
      const a = await open(ana);
      // A group of friends works …
      await okAck(a, 'chat:create', { memberIds: [ben.userId, cid.userId], title: 'ok' });
      // … until Ben blocks Ana (which also unfriends them).
      expect((await friendsApi(ben, '/v1/blocks', { userId: ana.userId })).status).toBe(201);
      await eventually(async () => {
        const reply = await ack(a, 'chat:create', { memberIds: [ben.userId, cid.userId] });
        return reply.ok ? undefined : reply;
      }).then((reply) => expect(reply).toEqual(refusedWith(ErrorCodes.MESSENGER_NOT_FRIENDS)));

      const madeUp = await ack(a, 'chat:create', { memberIds: [cid.userId, randomUUID()] });
      expect(madeUp).toEqual(refusedWith(ErrorCodes.MESSENGER_INVALID_MEMBERS));
      const madeUpDirect = await ack(a, 'chat:create', { memberIds: [randomUUID()] });
      expect(madeUpDirect).toEqual(refusedWith(ErrorCodes.MESSENGER_INVALID_MEMBERS));
    });

    it('stops sends, reactions and typing in a direct chat once the two are not friends', async () => {
      const [, , , dot, eve, fay] = users;
      await Promise.all([befriend(dot, eve), befriend(dot, fay)]);
      const [d, e, f] = await Promise.all([open(dot), open(eve), open(fay)]);
      const { chat: withEve } = await okAck<{ chat: ChatView }>(d, 'chat:create', {
        memberIds: [eve.userId],
      });
      const { chat: withFay } = await okAck<{ chat: ChatView }>(d, 'chat:create', {
        memberIds: [fay.userId],
      });
      const before = await send(d, withEve.id, 'still friends');
      await send(d, withFay.id, 'still friends');

      // Eve unfriends Dot; Fay blocks Dot.
      expect((await friendsApi(eve, `/v1/friends/${dot.userId}`, undefined, 'DELETE')).status).toBe(
        204,
      );
      expect((await friendsApi(fay, '/v1/blocks', { userId: dot.userId })).status).toBe(201);
      const atEve = collect<Pushed<'message:new'>>(e, 'message:new');
      const atFay = collect<Pushed<'message:new'>>(f, 'message:new');
      const typingAtEve = collect<Pushed<'typing'>>(e, 'typing');

      for (const chat of [withEve, withFay]) {
        const refused = await eventually(async () => {
          const reply = await ack(d, 'message:send', {
            chatId: chat.id,
            clientMessageId: randomUUID(),
            text: 'are you there?',
          });
          return reply.ok ? undefined : reply;
        });
        expect(refused).toEqual(refusedWith(ErrorCodes.MESSENGER_NOT_FRIENDS));
      }
      expect(
        await ack(d, 'reaction:add', { chatId: withEve.id, messageId: before.id, emoji: '👍' }),
      ).toEqual(refusedWith(ErrorCodes.MESSENGER_NOT_FRIENDS));
      expect(await ack(d, 'typing', { chatId: withEve.id })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_NOT_FRIENDS),
      );

      // Nothing stored, nothing pushed once refused.
      await new Promise((r) => setTimeout(r, 300));
      const refusedTexts = atEve.concat(atFay).filter((m) => m.message.text === 'are you there?');
      const stored = await messengerRows<{ n: string }>(
        `SELECT count(*) AS n FROM messages WHERE chat_id = ANY($1::uuid[]) AND text = 'are you there?'`,
        [[withEve.id, withFay.id]],
      );
      expect(refusedTexts).toHaveLength(Number(stored[0].n));
      expect(typingAtEve).toHaveLength(0);
    });
  });

  describe('messages: edit, delete, reply, react', () => {
    let ana: TestUser;
    let ben: TestUser;
    let a: MessengerClient;
    let b: MessengerClient;
    let chat: ChatView;

    beforeAll(async () => {
      [ana, ben] = await Promise.all([registerUser(auth, 'ana'), registerUser(auth, 'ben')]);
      await befriend(ana, ben);
      [a, b] = await Promise.all([open(ana), open(ben)]);
      ({ chat } = await okAck<{ chat: ChatView }>(a, 'chat:create', { memberIds: [ben.userId] }));
    });

    it('edits the author’s own message only, keeping createdAt and pushing message:updated', async () => {
      const original = await send(a, chat.id, 'helo');
      const updates = collect<Pushed<'message:updated'>>(b, 'message:updated');
      expect(
        await ack(b, 'message:edit', { chatId: chat.id, messageId: original.id, text: 'hijacked' }),
      ).toEqual(refusedWith(ErrorCodes.MESSENGER_FORBIDDEN));

      const { message } = await okAck<{ message: MessageView }>(a, 'message:edit', {
        chatId: chat.id,
        messageId: original.id,
        text: 'hello',
      });
      expect(message).toMatchObject({ id: original.id, text: 'hello', seq: original.seq });
      expect(message.createdAt).toBe(original.createdAt);
      expect(message.editedAt).not.toBeNull();
      const pushed = await waitFor(updates, (u) => u.message.id === original.id);
      expect(pushed.seq).toBeGreaterThan(original.seq);
      expect(pushed.message.text).toBe('hello');
    });

    it('deletes to a tombstone (text erased in the database) that can no longer be edited', async () => {
      const doomed = await send(a, chat.id, 'a secret');
      expect(await ack(b, 'message:delete', { chatId: chat.id, messageId: doomed.id })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_FORBIDDEN),
      );
      await okAck(a, 'message:delete', { chatId: chat.id, messageId: doomed.id });
      const { message } = await okAck<{ message: MessageView }>(b, 'message:get', {
        chatId: chat.id,
        messageId: doomed.id,
      });
      expect(message).toMatchObject({ id: doomed.id, text: '', seq: doomed.seq });
      expect(message.deletedAt).not.toBeNull();
      const rows = await messengerRows<{ text: string }>(
        'SELECT text FROM messages WHERE id = $1',
        [doomed.id],
      );
      expect(rows).toEqual([{ text: '' }]);
      expect(
        await ack(a, 'message:edit', { chatId: chat.id, messageId: doomed.id, text: 'back' }),
      ).toEqual(refusedWith(ErrorCodes.MESSENGER_MESSAGE_DELETED));
    });

    it('answers a message of the same chat only', async () => {
      const first = await send(a, chat.id, 'question?');
      const { message: reply } = await okAck<{ message: MessageView }>(b, 'message:send', {
        chatId: chat.id,
        clientMessageId: randomUUID(),
        text: 'answer',
        replyToId: first.id,
      });
      expect(reply.replyToId).toBe(first.id);

      const [cid] = await Promise.all([registerUser(auth, 'cid')]);
      await befriend(ana, cid);
      const { chat: other } = await okAck<{ chat: ChatView }>(a, 'chat:create', {
        memberIds: [cid.userId],
      });
      const foreign = await ack(a, 'message:send', {
        chatId: other.id,
        clientMessageId: randomUUID(),
        text: 'cross-chat reply',
        replyToId: first.id,
      });
      expect(foreign).toEqual(refusedWith(ErrorCodes.VALIDATION_FAILED));
    });

    it('keeps one reaction per user, message and emoji, and refuses what is not one emoji', async () => {
      const liked = await send(a, chat.id, 'react to me');
      for (let i = 0; i < 2; i += 1) {
        await okAck(b, 'reaction:add', { chatId: chat.id, messageId: liked.id, emoji: '👍' });
      }
      await okAck(a, 'reaction:add', { chatId: chat.id, messageId: liked.id, emoji: '👍' });
      await okAck(a, 'reaction:add', { chatId: chat.id, messageId: liked.id, emoji: '👨‍👩‍👧' });
      for (const emoji of ['a', '👍👍', ':)', '']) {
        expect(
          await ack(a, 'reaction:add', { chatId: chat.id, messageId: liked.id, emoji }),
        ).toEqual(refusedWith(ErrorCodes.VALIDATION_FAILED));
      }
      let { message } = await okAck<{ message: MessageView }>(a, 'message:get', {
        chatId: chat.id,
        messageId: liked.id,
      });
      expect(message.reactions).toEqual([
        { emoji: '👍', count: 2, userIds: [ben.userId, ana.userId] },
        { emoji: '👨‍👩‍👧', count: 1, userIds: [ana.userId] },
      ]);

      await okAck(b, 'reaction:remove', { chatId: chat.id, messageId: liked.id, emoji: '👍' });
      ({ message } = await okAck<{ message: MessageView }>(b, 'message:get', {
        chatId: chat.id,
        messageId: liked.id,
      }));
      expect(message.reactions[0]).toEqual({ emoji: '👍', count: 1, userIds: [ana.userId] });
    });

    it('shows current state in history, and publishes every change through the outbox', async () => {
      const { messages } = await okAck<{ messages: MessageView[] }>(b, 'message:history', {
        chatId: chat.id,
      });
      const byText = new Map(messages.map((m) => [m.text, m]));
      expect(byText.get('hello')?.editedAt).not.toBeNull();
      expect(messages.some((m) => m.deletedAt !== null && m.text === '')).toBe(true);
      expect(byText.get('react to me')?.reactions).toHaveLength(2);

      const changes = await eventually(async () => {
        const rows = await messengerRows<{ type: string }>(
          `SELECT envelope->'payload'->>'type' AS type FROM outbox_events
            WHERE topic = $1 AND key = $2`,
          [Topics.ChatChanged, chat.id],
        );
        return rows.length >= 5 ? rows : undefined;
      });
      expect(changes.map((r) => r.type)).toEqual(
        expect.arrayContaining([
          'message.edited',
          'message.deleted',
          'reaction.added',
          'reaction.removed',
        ]),
      );
    });

    it('searches the caller’s own chats only, newest first, through the full-text index', async () => {
      const word = `zebra${Date.now()}`;
      const older = await send(a, chat.id, `the ${word} crossed`);
      const newer = await send(b, chat.id, `another ${word} here`);
      const [stranger] = await Promise.all([registerUser(auth, 'stranger')]);
      const s = await open(stranger);

      const { messages: found } = await okAck<{ messages: MessageView[] }>(a, 'message:search', {
        query: word.toUpperCase(),
      });
      expect(found.map((m) => m.id)).toEqual([newer.id, older.id]);
      const { messages: page2 } = await okAck<{ messages: MessageView[] }>(a, 'message:search', {
        query: word,
        before: newer.id,
        limit: 1,
      });
      expect(page2.map((m) => m.id)).toEqual([older.id]);
      const { messages: none } = await okAck<{ messages: MessageView[] }>(s, 'message:search', {
        query: word,
      });
      expect(none).toEqual([]);
      expect(await ack(s, 'message:search', { query: word, chatId: chat.id })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER),
      );

      // The match runs on the GIN index (sequential scans priced out, as on a large table;
      // on a few rows the planner may rightly prefer a scan).
      const indexPlan = await explainWithoutSeqScan(ana.userId, word);
      expect(indexPlan.join('\n')).toContain('messages_search_idx');
    });
  });

  describe('groups: roles, membership and the timeline', () => {
    it('enforces roles, hands ownership on, and stops pushes to a removed member at once', async () => {
      const [owner, admin, member, late] = await Promise.all(
        ['own', 'adm', 'mem', 'late'].map((n) => registerUser(auth, n)),
      );
      await Promise.all([befriend(owner, admin), befriend(owner, member), befriend(admin, late)]);
      const [o, ad, m, l] = await Promise.all([owner, admin, member, late].map(open));
      const created = collect<Pushed<'chat:created'>>(m, 'chat:created');
      const { chat } = await okAck<{ chat: ChatView }>(o, 'chat:create', {
        memberIds: [admin.userId, member.userId],
        title: 'crew',
      });
      await waitFor(created, (c) => c.chat.id === chat.id);
      expect(chat.members).toEqual([
        { userId: owner.userId, role: 'owner', lastReadSeq: 0 },
        ...[admin.userId, member.userId].sort().map((userId) => ({
          userId,
          role: 'member',
          lastReadSeq: 0,
        })),
      ]);

      // Only the owner changes roles; members cannot rename or add.
      expect(
        await ack(ad, 'chat:members:role', {
          chatId: chat.id,
          userId: member.userId,
          role: 'admin',
        }),
      ).toEqual(refusedWith(ErrorCodes.MESSENGER_FORBIDDEN));
      await okAck(o, 'chat:members:role', { chatId: chat.id, userId: admin.userId, role: 'admin' });
      expect(await ack(m, 'chat:update', { chatId: chat.id, title: 'mine' })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_FORBIDDEN),
      );
      const renamed = await okAck<{ chat: ChatView }>(ad, 'chat:update', {
        chatId: chat.id,
        title: 'the crew',
      });
      expect(renamed.chat.title).toBe('the crew');

      // An admin adds their own friend; a non-friend of the actor is refused.
      expect(await ack(o, 'chat:members:add', { chatId: chat.id, userIds: [late.userId] })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_NOT_FRIENDS),
      );
      const added = await okAck<{ chat: ChatView }>(ad, 'chat:members:add', {
        chatId: chat.id,
        userIds: [late.userId],
      });
      expect(memberIdsOf(added.chat)).toContain(late.userId);
      // Nobody removes the owner; the member cannot remove anyone.
      expect(
        await ack(ad, 'chat:members:remove', { chatId: chat.id, userId: owner.userId }),
      ).toEqual(refusedWith(ErrorCodes.MESSENGER_FORBIDDEN));
      expect(await ack(m, 'chat:members:remove', { chatId: chat.id, userId: late.userId })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_FORBIDDEN),
      );

      // The admin removes the member: they hear of it once, then nothing, and cannot read.
      const atMember = collect<Pushed<'chat:updated'>>(m, 'chat:updated');
      const newAtMember = collect<Pushed<'message:new'>>(m, 'message:new');
      await okAck(ad, 'chat:members:remove', { chatId: chat.id, userId: member.userId });
      const removal = await waitFor(atMember, (u) => u.event.type === 'member.removed');
      expect(removal.event).toMatchObject({ userId: member.userId, actorId: admin.userId });
      expect(memberIdsOf(removal.chat)).not.toContain(member.userId);
      await send(o, chat.id, 'after the removal');
      for (const [event, payload] of [
        ['message:history', { chatId: chat.id }],
        ['sync', { chats: [{ chatId: chat.id, afterSeq: 0 }] }],
        ['chat:get', { chatId: chat.id }],
        ['message:send', { chatId: chat.id, clientMessageId: randomUUID(), text: 'hey' }],
      ] as const) {
        expect(await ack(m, event, payload)).toEqual(
          refusedWith(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER),
        );
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(newAtMember).toHaveLength(0);
      expect(atMember.filter((u) => u.chat.id === chat.id)).toHaveLength(1);

      // The owner leaves: the longest-standing admin owns the group now.
      const atLate = collect<Pushed<'chat:updated'>>(l, 'chat:updated');
      await okAck(o, 'chat:leave', { chatId: chat.id });
      const handover = await waitFor(atLate, (u) => u.event.type === 'member.role_changed');
      expect(handover.event).toMatchObject({ userId: admin.userId, role: 'owner' });
      const { chat: after } = await okAck<{ chat: ChatView }>(ad, 'chat:get', { chatId: chat.id });
      expect(after.members.map(({ userId, role }) => ({ userId, role }))).toEqual([
        { userId: admin.userId, role: 'owner' },
        { userId: late.userId, role: 'member' },
      ]);
      // A direct chat has no members to manage.
      const { chat: direct } = await okAck<{ chat: ChatView }>(ad, 'chat:create', {
        memberIds: [late.userId],
      });
      expect(await ack(ad, 'chat:leave', { chatId: direct.id })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_NOT_A_GROUP),
      );
    });

    it('replays a mixed sequence of every event type with sync, to exactly the live state', async () => {
      const [ana, ben, cid, dot] = await Promise.all(
        ['sa', 'sb', 'sc', 'sd'].map((n) => registerUser(auth, n)),
      );
      await Promise.all([befriend(ana, ben), befriend(ana, cid), befriend(ana, dot)]);
      const [a, b] = await Promise.all([open(ana), open(ben)]);
      const { chat } = await okAck<{ chat: ChatView }>(a, 'chat:create', {
        memberIds: [ben.userId, dot.userId],
        title: 'sync me',
      });
      // Ben's client has seen the chat at seq 0, then goes offline.
      b.close();
      const m1 = await send(a, chat.id, 'one');
      const m2 = await send(a, chat.id, 'two');
      await okAck(a, 'message:edit', { chatId: chat.id, messageId: m1.id, text: 'one!' });
      await okAck(a, 'reaction:add', { chatId: chat.id, messageId: m1.id, emoji: '🎉' });
      await okAck(a, 'reaction:add', { chatId: chat.id, messageId: m2.id, emoji: '🎉' });
      await okAck(a, 'reaction:remove', { chatId: chat.id, messageId: m2.id, emoji: '🎉' });
      await okAck(a, 'chat:members:add', { chatId: chat.id, userIds: [cid.userId] });
      await okAck(a, 'chat:members:role', { chatId: chat.id, userId: cid.userId, role: 'admin' });
      await okAck(a, 'chat:update', { chatId: chat.id, title: 'synced' });
      await okAck(a, 'message:delete', { chatId: chat.id, messageId: m2.id });
      await okAck(a, 'chat:members:remove', { chatId: chat.id, userId: cid.userId });

      const back = await open(ben);
      const events: TimelineEvent[] = [];
      for (let afterSeq = 0, more = true; more;) {
        const { chats } = await okAck<{
          chats: Array<{ events: TimelineEvent[]; hasMore: boolean }>;
        }>(back, 'sync', { chats: [{ chatId: chat.id, afterSeq }], limit: 4 });
        events.push(...chats[0].events);
        more = chats[0].hasMore;
        afterSeq = events.at(-1)?.seq ?? afterSeq;
      }
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      // Every type but member.left (the leave test covers it) is in this one timeline.
      expect(new Set(events.map((e) => e.type))).toEqual(
        new Set(SocketApi.TIMELINE_EVENT_TYPES.filter((t) => t !== 'member.left')),
      );

      // Ben's client applies the events to the chat it had …
      const messages = new Map<string, MessageView>();
      let title = chat.title;
      const roles = new Map(chat.members.map((m) => [m.userId, m.role as string]));
      for (const event of events) {
        if (event.message) messages.set(event.message.id, event.message);
        if (event.type === 'chat.renamed') title = event.title ?? null;
        if (event.type === 'member.added' && event.userId) roles.set(event.userId, 'member');
        if (event.type === 'member.role_changed' && event.userId && event.role) {
          roles.set(event.userId, event.role);
        }
        if (event.type === 'member.removed' && event.userId) roles.delete(event.userId);
      }
      // … and arrives exactly at the server's state.
      const { messages: history } = await okAck<{ messages: MessageView[] }>(
        back,
        'message:history',
        { chatId: chat.id },
      );
      expect([...messages.values()].sort((x, y) => y.seq - x.seq)).toEqual(history);
      const { chat: live } = await okAck<{ chat: ChatView }>(back, 'chat:get', { chatId: chat.id });
      expect(title).toBe(live.title);
      expect(Object.fromEntries(roles)).toEqual(
        Object.fromEntries(live.members.map((m) => [m.userId, m.role])),
      );
      expect(live.lastSeq).toBe(events.length);
    });
  });

  describe('what clients are told', () => {
    it('pushes friend:request and friend:accepted', async () => {
      const [asker, asked] = await Promise.all([
        registerUser(auth, 'asker'),
        registerUser(auth, 'asked'),
      ]);
      const [x, y] = await Promise.all([open(asker), open(asked)]);
      const requests = collect<Pushed<'friend:request'>>(y, 'friend:request');
      const accepted = collect<Pushed<'friend:accepted'>>(x, 'friend:accepted');
      await befriend(asker, asked);
      const request = await waitFor(requests, (r) => r.fromUserId === asker.userId);
      expect(request.requestId).toEqual(expect.any(String));
      await waitFor(accepted, (a) => a.userId === asked.userId);
    });

    it('answers presence:get for friends and co-members, and shows strangers offline', async () => {
      const [me, pal, stranger] = await Promise.all(
        ['me', 'pal', 'strange'].map((n) => registerUser(auth, n)),
      );
      await befriend(me, pal);
      const mine = await open(me);
      await Promise.all([open(pal), open(stranger)]);
      const { users: answer } = await eventually(async () => {
        const reply = await okAck<{ users: SocketApi.Presence[] }>(mine, 'presence:get', {
          userIds: [pal.userId, stranger.userId],
        });
        return reply.users[0].online ? reply : undefined;
      });
      expect(answer).toEqual([
        { userId: pal.userId, online: true, lastSeenAt: expect.any(String) },
        { userId: stranger.userId, online: false },
      ]);
      expect(answer[1]).not.toHaveProperty('lastSeenAt');
    });

    it('answers an unknown event sent with an ack at once', async () => {
      const [someone] = await Promise.all([registerUser(auth, 'someone')]);
      const s = await open(someone);
      expect(await ack(s, 'chat:destroy-everything', { chatId: randomUUID() })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_UNKNOWN_EVENT),
      );
      // Still served afterwards.
      expect(await ack(s, 'chat:list', {})).toMatchObject({ ok: true });
    });
  });
});

/**
 * The plan of the statement `message:search` runs (the repository's own, not a copy),
 * with sequential scans priced out, as on a large table.
 */
async function explainWithoutSeqScan(userId: string, word: string): Promise<string[]> {
  const { Client } = await import('pg');
  const { serviceEnv } = await import('../../../test/e2e/support/stack');
  const { sql, params } = messageSearchQuery({
    userId,
    query: word,
    chatId: null,
    cursor: null,
    limit: SocketApi.DEFAULT_SEARCH_LIMIT,
  });
  const client = new Client({ connectionString: serviceEnv('messenger').DATABASE_URL });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
    await client.query('ROLLBACK');
    return rows.map((r) => r['QUERY PLAN']);
  } finally {
    await client.end();
  }
}
