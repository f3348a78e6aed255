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

const settle = () => new Promise((r) => setTimeout(r, 300));

/** Resolves once messenger's replica says whether `a` and `b` are friends, and who blocks whom. */
async function replicaShows(
  a: TestUser,
  b: TestUser,
  expected: { friends: boolean; blocked: boolean },
): Promise<void> {
  await eventually(async () => {
    const [friends, blocks] = await Promise.all([
      messengerRows('SELECT 1 FROM friendships WHERE user_id = $1 AND friend_id = $2', [
        a.userId,
        b.userId,
      ]),
      messengerRows(
        `SELECT 1 FROM blocks WHERE (user_id = $1 AND blocked_user_id = $2)
                                 OR (user_id = $2 AND blocked_user_id = $1)`,
        [a.userId, b.userId],
      ),
    ]);
    const now = { friends: friends.length > 0, blocked: blocks.length > 0 };
    return now.friends === expected.friends && now.blocked === expected.blocked ? true : undefined;
  });
}

/**
 * The rules of issue 14 that timeline.e2e-spec.ts does not reach: the rest of the roles
 * table, CHAT.NOT_MEMBER on every chat event, every push after every kind of change, the
 * outbox record of every change, and a `sync` from the middle of a timeline that holds all
 * ten event types.
 */
describe('messenger: the chat timeline, rule by rule', () => {
  let auth: AuthGrpcClient;
  const clients: MessengerClient[] = [];
  const open = async (user: TestUser) => {
    const client = await connectClient(MAIN_MESSENGER, user.accessToken);
    clients.push(client);
    return client;
  };
  const users = (...names: string[]) => Promise.all(names.map((n) => registerUser(auth, n)));

  beforeAll(() => {
    auth = authClient();
  });

  afterAll(() => {
    clients.forEach((client) => client.close());
    auth?.close();
  });

  describe('the two bypasses', () => {
    it('lets a blocked user leave a group made before the block, and no one add them again', async () => {
      const [ana, ben, cid, dot] = await users('ana', 'ben', 'cid', 'dot');
      await Promise.all([befriend(ana, ben), befriend(ana, cid), befriend(ana, dot)]);
      const [a, b, c] = await Promise.all([open(ana), open(ben), open(cid)]);
      const { chat: old } = await okAck<{ chat: ChatView }>(a, 'chat:create', {
        memberIds: [ben.userId, cid.userId],
        title: 'before the block',
      });
      const { chat: other } = await okAck<{ chat: ChatView }>(a, 'chat:create', {
        memberIds: [cid.userId, dot.userId],
        title: 'without ben',
      });

      expect((await friendsApi(ben, '/v1/blocks', { userId: ana.userId })).status).toBe(201);
      await replicaShows(ana, ben, { friends: false, blocked: true });

      // Ana cannot bring Ben into a group, and the refusal names nobody.
      const added = await ack(a, 'chat:members:add', { chatId: other.id, userIds: [ben.userId] });
      expect(added).toEqual(refusedWith(ErrorCodes.MESSENGER_NOT_FRIENDS));
      const madeUp = randomUUID();
      const invented = await ack(a, 'chat:members:add', { chatId: other.id, userIds: [madeUp] });
      expect(invented).toEqual(refusedWith(ErrorCodes.MESSENGER_INVALID_MEMBERS));
      for (const reply of [added, invented]) {
        expect(JSON.stringify(reply)).not.toContain(ben.userId);
        expect(JSON.stringify(reply)).not.toContain(madeUp);
      }
      const { chat: unchanged } = await okAck<{ chat: ChatView }>(a, 'chat:get', {
        chatId: other.id,
      });
      expect(unchanged.lastSeq).toBe(0);

      // Ben leaves the group made before the block: told once, then nothing reaches him.
      const atBen = collect<Pushed<'chat:updated'>>(b, 'chat:updated');
      const newAtBen = collect<Pushed<'message:new'>>(b, 'message:new');
      const atCid = collect<Pushed<'chat:updated'>>(c, 'chat:updated');
      await okAck(b, 'chat:leave', { chatId: old.id });
      const left = await waitFor(atCid, (u) => u.event.type === 'member.left');
      expect(left.event).toMatchObject({ userId: ben.userId, actorId: ben.userId });
      expect(memberIdsOf(left.chat)).toEqual([ana.userId, cid.userId]);
      await waitFor(atBen, (u) => u.event.type === 'member.left');
      await send(a, old.id, 'ben cannot read this');
      expect(await ack(b, 'message:history', { chatId: old.id })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER),
      );
      await settle();
      expect(newAtBen).toHaveLength(0);
      expect(atBen.filter((u) => u.chat.id === old.id)).toHaveLength(1);
    });

    it('refuses both reactions and typing in a direct chat after an unfriend: nothing stored, nothing pushed', async () => {
      const [gus, hal] = await users('gus', 'hal');
      await befriend(gus, hal);
      const [g, h] = await Promise.all([open(gus), open(hal)]);
      const { chat } = await okAck<{ chat: ChatView }>(g, 'chat:create', {
        memberIds: [hal.userId],
      });
      const before = collect<Pushed<'message:updated'>>(g, 'message:updated');
      const liked = await send(g, chat.id, 'like this');
      await okAck(h, 'reaction:add', { chatId: chat.id, messageId: liked.id, emoji: '👍' });
      await waitFor(before, (u) => u.message.id === liked.id);

      const gone = await friendsApi(hal, `/v1/friends/${gus.userId}`, undefined, 'DELETE');
      expect(gone.status).toBe(204);
      await replicaShows(gus, hal, { friends: false, blocked: false });
      const updates = [g, h].map((peer) =>
        collect<Pushed<'message:updated'>>(peer, 'message:updated'),
      );
      const typing = [g, h].map((peer) => collect<Pushed<'typing'>>(peer, 'typing'));

      const attempts: Array<[MessengerClient, string, unknown]> = [
        [g, 'reaction:add', { chatId: chat.id, messageId: liked.id, emoji: '🎉' }],
        [h, 'reaction:remove', { chatId: chat.id, messageId: liked.id, emoji: '👍' }],
        [h, 'reaction:add', { chatId: chat.id, messageId: liked.id, emoji: '❤️' }],
        [g, 'typing', { chatId: chat.id }],
        [h, 'typing', { chatId: chat.id }],
        [h, 'message:send', { chatId: chat.id, clientMessageId: randomUUID(), text: 'hello?' }],
      ];
      for (const [peer, event, payload] of attempts) {
        expect({ event, reply: await ack(peer, event, payload) }).toEqual({
          event,
          reply: refusedWith(ErrorCodes.MESSENGER_NOT_FRIENDS),
        });
      }
      await settle();
      expect(updates.flat()).toHaveLength(0);
      expect(typing.flat()).toHaveLength(0);
      const { message } = await okAck<{ message: MessageView }>(g, 'message:get', {
        chatId: chat.id,
        messageId: liked.id,
      });
      expect(message.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [hal.userId] }]);
      const { chat: after } = await okAck<{ chat: ChatView }>(g, 'chat:get', { chatId: chat.id });
      expect(after.lastSeq).toBe(chat.lastSeq + 2); // the message and the one reaction
    });
  });

  describe('roles', () => {
    it('enforces the rest of the roles table: adding, removing admins, deleting others’ messages', async () => {
      const [own, ad1, ad2, mem, out] = await users('own', 'ad1', 'ad2', 'mem', 'out');
      await Promise.all(
        [ad1, ad2, mem, out].map((u) => befriend(own, u)).concat(befriend(mem, out)),
      );
      const [o, a1, m] = await Promise.all([open(own), open(ad1), open(mem)]);
      const { chat } = await okAck<{ chat: ChatView }>(o, 'chat:create', {
        memberIds: [ad1.userId, ad2.userId, mem.userId],
        title: 'roles',
      });
      for (const admin of [ad1, ad2]) {
        await okAck(o, 'chat:members:role', {
          chatId: chat.id,
          userId: admin.userId,
          role: 'admin',
        });
      }

      // A plain member adds nobody (not even a friend), changes no role.
      expect(await ack(m, 'chat:members:add', { chatId: chat.id, userIds: [out.userId] })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_FORBIDDEN),
      );
      expect(
        await ack(m, 'chat:members:role', { chatId: chat.id, userId: ad1.userId, role: 'member' }),
      ).toEqual(refusedWith(ErrorCodes.MESSENGER_FORBIDDEN));
      // An admin does not remove another admin; the owner does.
      expect(await ack(a1, 'chat:members:remove', { chatId: chat.id, userId: ad2.userId })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_FORBIDDEN),
      );

      // Deleting: a member only their own; an admin and the owner anyone's; editing: the author.
      const fromOwner = await send(o, chat.id, 'from the owner');
      const fromMember = await send(m, chat.id, 'from a member');
      const fromAdmin = await send(a1, chat.id, 'from an admin');
      expect(await ack(m, 'message:delete', { chatId: chat.id, messageId: fromOwner.id })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_FORBIDDEN),
      );
      expect(
        await ack(a1, 'message:edit', { chatId: chat.id, messageId: fromMember.id, text: 'mine' }),
      ).toEqual(refusedWith(ErrorCodes.MESSENGER_FORBIDDEN));
      const atMember = collect<Pushed<'message:updated'>>(m, 'message:updated');
      await okAck(a1, 'message:delete', { chatId: chat.id, messageId: fromMember.id });
      const tombstone = await waitFor(atMember, (u) => u.message.id === fromMember.id);
      expect(tombstone.message).toMatchObject({ text: '', seq: fromMember.seq });
      expect(tombstone.message.deletedAt).not.toBeNull();
      await okAck(o, 'message:delete', { chatId: chat.id, messageId: fromAdmin.id });

      await okAck(o, 'chat:members:remove', { chatId: chat.id, userId: ad2.userId });
      const { chat: after } = await okAck<{ chat: ChatView }>(o, 'chat:get', { chatId: chat.id });
      // Founding members are listed by id after the owner.
      expect(after.members.map(({ userId, role }) => ({ userId, role }))).toEqual([
        { userId: own.userId, role: 'owner' },
        ...[
          { userId: ad1.userId, role: 'admin' },
          { userId: mem.userId, role: 'member' },
        ].sort((x, y) => x.userId.localeCompare(y.userId)),
      ]);
      const { messages } = await okAck<{ messages: MessageView[] }>(o, 'message:history', {
        chatId: chat.id,
      });
      expect(messages.map((msg) => [msg.text, msg.deletedAt === null])).toEqual([
        ['', false],
        ['', false],
        ['from the owner', true],
      ]);

      // Group administration has no meaning in a direct chat.
      const { chat: direct } = await okAck<{ chat: ChatView }>(o, 'chat:create', {
        memberIds: [mem.userId],
      });
      for (const [event, payload] of [
        ['chat:update', { chatId: direct.id, title: 'no' }],
        ['chat:members:add', { chatId: direct.id, userIds: [out.userId] }],
        ['chat:members:remove', { chatId: direct.id, userId: mem.userId }],
        ['chat:members:role', { chatId: direct.id, userId: mem.userId, role: 'admin' }],
      ] as const) {
        expect({ event, reply: await ack(o, event, payload) }).toEqual({
          event,
          reply: refusedWith(ErrorCodes.MESSENGER_NOT_A_GROUP),
        });
      }
    });
  });

  it('answers CHAT.NOT_MEMBER to every chat event, for a chat that does not exist and one the caller is not in', async () => {
    const [own, mem, outsider] = await users('own', 'mem', 'outsider');
    await befriend(own, mem);
    const [o, m, x] = await Promise.all([open(own), open(mem), open(outsider)]);
    const { chat } = await okAck<{ chat: ChatView }>(o, 'chat:create', {
      memberIds: [mem.userId],
    });
    const arrived = collect<Pushed<'message:new'>>(m, 'message:new');
    const message = await send(o, chat.id, 'members only');
    await waitFor(arrived, (n) => n.message.id === message.id);
    const heard = ['message:new', 'message:updated', 'chat:updated', 'typing', 'message:read'].map(
      (event) => collect<unknown>(m, event),
    );

    const attempts = (chatId: string, messageId: string): Array<[string, unknown]> => [
      ['chat:get', { chatId }],
      ['chat:update', { chatId, title: 'taken over' }],
      ['chat:members:add', { chatId, userIds: [outsider.userId] }],
      ['chat:members:remove', { chatId, userId: mem.userId }],
      ['chat:members:role', { chatId, userId: mem.userId, role: 'admin' }],
      ['chat:leave', { chatId }],
      ['message:send', { chatId, clientMessageId: randomUUID(), text: 'let me in' }],
      ['message:edit', { chatId, messageId, text: 'changed' }],
      ['message:delete', { chatId, messageId }],
      ['message:get', { chatId, messageId }],
      ['message:history', { chatId }],
      ['message:search', { query: 'members', chatId }],
      ['reaction:add', { chatId, messageId, emoji: '👀' }],
      ['reaction:remove', { chatId, messageId, emoji: '👀' }],
      ['message:read', { chatId, messageId }],
      ['typing', { chatId }],
      ['sync', { chats: [{ chatId, afterSeq: 0 }] }],
    ];
    const unknown = attempts(randomUUID(), randomUUID());
    const foreign = attempts(chat.id, message.id);
    // Every chat-scoped client event is tried.
    const chatEvents = SocketApi.CLIENT_EVENT_NAMES.filter(
      (e) => !['chat:create', 'chat:list', 'presence:get', 'auth:refresh'].includes(e),
    );
    expect(new Set(unknown.map(([event]) => event))).toEqual(new Set(chatEvents));

    for (const [event, payload] of [...unknown, ...foreign]) {
      expect({ event, reply: await ack(x, event, payload) }).toEqual({
        event,
        reply: refusedWith(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER),
      });
    }
    await settle();
    expect(heard.flat()).toHaveLength(0);
    const { chat: after } = await okAck<{ chat: ChatView }>(o, 'chat:get', { chatId: chat.id });
    expect(after).toEqual({ ...chat, lastSeq: message.seq, members: after.members });
    expect(memberIdsOf(after).sort()).toEqual([own.userId, mem.userId].sort());
    const { message: still } = await okAck<{ message: MessageView }>(o, 'message:get', {
      chatId: chat.id,
      messageId: message.id,
    });
    expect(still).toEqual(message);
  });

  it('tells every member of each change: chat:created, chat:updated and message:updated with the change’s seq', async () => {
    const [own, pal, bud, neo] = await users('own', 'pal', 'bud', 'neo');
    await Promise.all([befriend(own, pal), befriend(own, bud), befriend(own, neo)]);
    const [o, oPhone, p, b, n] = await Promise.all([
      open(own),
      open(own),
      open(pal),
      open(bud),
      open(neo),
    ]);
    const created = [oPhone, p, b].map((peer) =>
      collect<Pushed<'chat:created'>>(peer, 'chat:created'),
    );
    const { chat } = await okAck<{ chat: ChatView }>(o, 'chat:create', {
      memberIds: [pal.userId, bud.userId],
      title: 'news',
    });
    for (const list of created) {
      expect((await waitFor(list, (c) => c.chat.id === chat.id)).chat).toEqual(chat);
    }

    const chatUpdates = collect<Pushed<'chat:updated'>>(p, 'chat:updated');
    const atNeo = collect<Pushed<'chat:updated'>>(n, 'chat:updated');
    const renamed = await okAck<{ chat: ChatView }>(o, 'chat:update', {
      chatId: chat.id,
      title: 'more news',
    });
    await okAck(o, 'chat:members:add', { chatId: chat.id, userIds: [neo.userId] });
    await okAck(o, 'chat:members:role', { chatId: chat.id, userId: bud.userId, role: 'admin' });
    const seen = await eventually(() =>
      Promise.resolve(chatUpdates.length >= 3 ? chatUpdates.slice(0, 3) : undefined),
    );
    expect(seen.map((u) => [u.seq, u.event.seq, u.event.type, u.chat.lastSeq])).toEqual([
      [1, 1, 'chat.renamed', 1],
      [2, 2, 'member.added', 2],
      [3, 3, 'member.role_changed', 3],
    ]);
    expect(renamed.chat.title).toBe('more news');
    expect(seen[0].event.title).toBe('more news');
    expect(seen[1].event.userId).toBe(neo.userId);
    expect(seen[2].event).toMatchObject({ userId: bud.userId, role: 'admin' });
    // The member just added hears of it (and of what follows).
    await waitFor(atNeo, (u) => u.event.type === 'member.added' && u.event.userId === neo.userId);

    // Every edit, delete and reaction change reaches every member, the actor's devices too.
    const updates = [oPhone, p, b, n].map((peer) =>
      collect<Pushed<'message:updated'>>(peer, 'message:updated'),
    );
    const message = await send(o, chat.id, 'first draft');
    await okAck(o, 'message:edit', { chatId: chat.id, messageId: message.id, text: 'final' });
    await okAck(p, 'reaction:add', { chatId: chat.id, messageId: message.id, emoji: '👍' });
    await okAck(p, 'reaction:remove', { chatId: chat.id, messageId: message.id, emoji: '👍' });
    await okAck(o, 'message:delete', { chatId: chat.id, messageId: message.id });
    for (const list of updates) {
      const four = await eventually(() => Promise.resolve(list.length >= 4 ? list : undefined));
      expect(
        four.map((u) => [
          u.seq,
          u.message.text,
          u.message.reactions.length,
          u.message.deletedAt !== null,
        ]),
      ).toEqual([
        [message.seq + 1, 'final', 0, false],
        [message.seq + 2, 'final', 1, false],
        [message.seq + 3, 'final', 0, false],
        [message.seq + 4, '', 0, true],
      ]);
    }
  });

  it('shows a co-member who is not a friend in presence:get, with lastSeenAt', async () => {
    const [hub, left, right] = await users('hub', 'left', 'right');
    await Promise.all([befriend(hub, left), befriend(hub, right)]);
    const h = await open(hub);
    const [l] = await Promise.all([open(left), open(right)]);
    await okAck(h, 'chat:create', { memberIds: [left.userId, right.userId], title: 'three' });
    const { users: seen } = await eventually(async () => {
      const reply = await okAck<{ users: SocketApi.Presence[] }>(l, 'presence:get', {
        userIds: [right.userId],
      });
      return reply.users[0].online ? reply : undefined;
    });
    expect(seen).toEqual([{ userId: right.userId, online: true, lastSeenAt: expect.any(String) }]);
  });

  it('finds no tombstones and nothing of a chat the caller has left', async () => {
    const [own, pal, bud] = await users('own', 'pal', 'bud');
    await Promise.all([befriend(own, pal), befriend(own, bud)]);
    const [o, p] = await Promise.all([open(own), open(pal)]);
    const { chat } = await okAck<{ chat: ChatView }>(o, 'chat:create', {
      memberIds: [pal.userId, bud.userId],
      title: 'search',
    });
    const word = `okapi${Date.now()}`;
    const kept = await send(o, chat.id, `an ${word} here`);
    const erased = await send(o, chat.id, `another ${word} there`);
    await okAck(o, 'message:delete', { chatId: chat.id, messageId: erased.id });
    const found = await okAck<{ messages: MessageView[] }>(p, 'message:search', { query: word });
    expect(found.messages.map((m) => m.id)).toEqual([kept.id]);

    await okAck(p, 'chat:leave', { chatId: chat.id });
    const after = await okAck<{ messages: MessageView[] }>(p, 'message:search', { query: word });
    expect(after.messages).toEqual([]);
    // A message the caller cannot read is no cursor either.
    expect(await ack(p, 'message:search', { query: word, before: kept.id })).toEqual(
      refusedWith(ErrorCodes.VALIDATION_FAILED),
    );
  });

  it('replays all ten event types from the middle of a timeline to the live state, each change published once', async () => {
    const [ana, ben, cid, dot] = await users('ta', 'tb', 'tc', 'td');
    await Promise.all([befriend(ana, ben), befriend(ana, cid), befriend(ana, dot)]);
    const [a, b, c, d] = await Promise.all([open(ana), open(ben), open(cid), open(dot)]);

    // Ben's client knows the chat from chat:created and its messages from message:new …
    const createdAtBen = collect<Pushed<'chat:created'>>(b, 'chat:created');
    const newAtBen = collect<Pushed<'message:new'>>(b, 'message:new');
    const { chat } = await okAck<{ chat: ChatView }>(a, 'chat:create', {
      memberIds: [ben.userId, dot.userId],
      title: 'mid-sync',
    });
    const m1 = await send(a, chat.id, 'one');
    const m2 = await send(a, chat.id, 'two');
    const m3 = await send(a, chat.id, 'three');
    await waitFor(newAtBen, (n) => n.message.id === m3.id);
    const known = (await waitFor(createdAtBen, (n) => n.chat.id === chat.id)).chat;
    const local = {
      title: known.title,
      roles: new Map(known.members.map((m) => [m.userId, m.role as string])),
      messages: new Map(newAtBen.map((n) => [n.message.id, n.message])),
    };
    const seenSeq = Math.max(...newAtBen.map((n) => n.message.seq));
    // … then goes offline while every kind of change happens.
    b.close();

    await okAck(a, 'message:edit', { chatId: chat.id, messageId: m1.id, text: 'one, edited' });
    await okAck(a, 'reaction:add', { chatId: chat.id, messageId: m1.id, emoji: '🎉' });
    await okAck(a, 'reaction:add', { chatId: chat.id, messageId: m3.id, emoji: '👍' });
    await okAck(a, 'reaction:add', { chatId: chat.id, messageId: m2.id, emoji: '🎉' });
    await okAck(a, 'reaction:remove', { chatId: chat.id, messageId: m2.id, emoji: '🎉' });
    await okAck(a, 'chat:members:add', { chatId: chat.id, userIds: [cid.userId] });
    await okAck(a, 'chat:members:role', { chatId: chat.id, userId: cid.userId, role: 'admin' });
    await okAck(c, 'reaction:add', { chatId: chat.id, messageId: m3.id, emoji: '❤️' });
    await okAck(a, 'chat:update', { chatId: chat.id, title: 'mid-sync, renamed' });
    await okAck(c, 'message:delete', { chatId: chat.id, messageId: m2.id });
    const m4 = await send(d, chat.id, 'four');
    await okAck(d, 'chat:leave', { chatId: chat.id });
    await okAck(a, 'chat:members:remove', { chatId: chat.id, userId: cid.userId });

    const back = await open(ben);
    const missed: TimelineEvent[] = [];
    for (let afterSeq = seenSeq, more = true; more;) {
      const { chats } = await okAck<{
        chats: Array<{ events: TimelineEvent[]; hasMore: boolean }>;
      }>(back, 'sync', { chats: [{ chatId: chat.id, afterSeq }], limit: 3 });
      missed.push(...chats[0].events);
      more = chats[0].hasMore;
      afterSeq = missed.at(-1)?.seq ?? afterSeq;
    }
    expect(new Set(missed.map((e) => e.type))).toEqual(new Set(SocketApi.TIMELINE_EVENT_TYPES));
    expect(missed.map((e) => e.seq)).toEqual(missed.map((_, i) => seenSeq + 1 + i));

    for (const event of missed) apply(local, event);
    const { messages: history } = await okAck<{ messages: MessageView[] }>(
      back,
      'message:history',
      { chatId: chat.id },
    );
    expect([...local.messages.values()].sort((x, y) => y.seq - x.seq)).toEqual(history);
    expect(history.map((m) => m.id)).toEqual([m4.id, m3.id, m2.id, m1.id]);
    const { chat: live } = await okAck<{ chat: ChatView }>(back, 'chat:get', { chatId: chat.id });
    expect(local.title).toBe(live.title);
    expect(Object.fromEntries(local.roles)).toEqual(
      Object.fromEntries(live.members.map((m) => [m.userId, m.role])),
    );
    expect(live.lastSeq).toBe(missed.at(-1)?.seq);

    // Every change is in the outbox once: messenger.message.sent.v1 for each new message,
    // messenger.chat.changed.v1 {chatId, seq, type, actorId} for each other change.
    const { chats: whole } = await okAck<{ chats: Array<{ events: TimelineEvent[] }> }>(a, 'sync', {
      chats: [{ chatId: chat.id, afterSeq: 0 }],
      limit: 100,
    });
    const timeline = whole[0].events;
    const published = await messengerRows<{ topic: string; payload: Record<string, unknown> }>(
      `SELECT topic, envelope->'payload' AS payload FROM outbox_events
        WHERE topic = ANY($1::text[]) AND envelope->'payload'->>'chatId' = $2`,
      [[Topics.ChatChanged, Topics.MessageSent], chat.id],
    );
    const changed = published
      .filter((r) => r.topic === Topics.ChatChanged)
      .map((r) => r.payload)
      .sort((x, y) => Number(x.seq) - Number(y.seq));
    expect(changed).toEqual(
      timeline
        .filter((e) => e.type !== 'message.created')
        .map((e) => ({ chatId: chat.id, seq: e.seq, type: e.type, actorId: e.actorId })),
    );
    const byMessage = (x: Record<string, unknown>, y: Record<string, unknown>) =>
      String(x.messageId).localeCompare(String(y.messageId));
    const sent = published.filter((r) => r.topic === Topics.MessageSent).map((r) => r.payload);
    expect(sent.sort(byMessage)).toEqual(
      timeline
        .filter((e) => e.type === 'message.created')
        .map((e) => ({
          messageId: e.messageId,
          chatId: chat.id,
          senderId: e.actorId,
          memberIds: expect.arrayContaining([ana.userId, ben.userId]),
        }))
        .sort(byMessage),
    );
  });
});

/** What a client keeps of a chat, and how it applies a timeline event to it. */
interface LocalChat {
  title: string | null;
  roles: Map<string, string>;
  messages: Map<string, MessageView>;
}

function apply(local: LocalChat, event: TimelineEvent): void {
  if (event.message) local.messages.set(event.message.id, event.message);
  const target = event.messageId ? local.messages.get(event.messageId) : undefined;
  if (target && event.emoji && event.type.startsWith('reaction.')) {
    local.messages.set(target.id, {
      ...target,
      reactions: react(
        target.reactions,
        event.emoji,
        event.actorId,
        event.type === 'reaction.added',
      ),
    });
  }
  if (event.type === 'chat.renamed') local.title = event.title ?? null;
  if (event.type === 'member.added' && event.userId) local.roles.set(event.userId, 'member');
  if (event.type === 'member.role_changed' && event.userId && event.role) {
    local.roles.set(event.userId, event.role);
  }
  if ((event.type === 'member.removed' || event.type === 'member.left') && event.userId) {
    local.roles.delete(event.userId);
  }
}

/** One user's reaction added or taken back; a repeat changes nothing. */
function react(
  reactions: SocketApi.Reaction[],
  emoji: string,
  userId: string,
  added: boolean,
): SocketApi.Reaction[] {
  const entry = reactions.find((r) => r.emoji === emoji);
  const userIds = entry?.userIds ?? [];
  if (added === userIds.includes(userId)) return reactions;
  const next = added ? [...userIds, userId] : userIds.filter((id) => id !== userId);
  if (!entry) return [...reactions, { emoji, count: 1, userIds: next }];
  return reactions
    .map((r) => (r.emoji === emoji ? { emoji, count: next.length, userIds: next } : r))
    .filter((r) => r.count > 0);
}
