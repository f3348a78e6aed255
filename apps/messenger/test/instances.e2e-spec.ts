import { ErrorCodes } from '@app/contracts';
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
import { serviceEnv } from '../../../test/e2e/support/stack';
import {
  ack,
  befriend,
  type ChatView,
  collect,
  collectFrom,
  connectClient,
  createdMessage,
  connected,
  type ExtraMessenger,
  friendsApi,
  MAIN_MESSENGER,
  type MessageView,
  type TimelineEvent,
  createdMessages,
  okAck,
  refused,
  send,
  sparePort,
  startMessenger,
  waitFor,
  refusedWith,
} from './support/messenger-clients';

const ALLOWED_ORIGIN = 'http://chat.example.test';

/**
 * Two messenger processes on one database and Redis: the stack's, and a
 * second one this spec starts (and kills). The second one cannot reach friends (its
 * FRIENDS_GRPC_URL is a closed port) and has tight limits, so the same process also shows
 * the friendship replica and the limits at work.
 */
describe('messenger: several instances', () => {
  let auth: AuthGrpcClient;
  let second: ExtraMessenger;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  let chat: ChatView;
  // Users talk through the SDK's clients; raw sockets only where a spec misbehaves on purpose.
  const sockets: Array<MessengerClient | Socket> = [];
  const open = async (url: string, user: TestUser) => {
    const client = await connectClient(url, user.accessToken);
    sockets.push(client);
    return client;
  };

  beforeAll(async () => {
    auth = authClient();
    [second, alice, bob, carol, dave] = await Promise.all([
      startMessenger(sparePort(0), {
        // Its own consumer group: a member killed with -9 would hold its share of the
        // stack's partitions until the 30 s session timeout and stall later specs' events.
        // Both groups write the same database, and consumers are idempotent.
        KAFKA_GROUP_ID: `${serviceEnv('messenger').KAFKA_GROUP_ID}-second`,
        FRIENDS_GRPC_URL: '127.0.0.1:1',
        CORS_ORIGINS: ALLOWED_ORIGIN,
        MAX_CONNECTIONS_PER_USER: '3',
        // A token bucket of 5 refilled at 1 a second: slow enough to observe the refill.
        MESSAGES_PER_SECOND: '1',
        MESSAGE_BURST: '5',
        MAX_PAYLOAD_BYTES: '4096',
        // Its sockets' entries fade 2 s after it dies, so its users are announced offline.
        PRESENCE_CONNECTION_TTL_MS: '2000',
        PRESENCE_HEARTBEAT_MS: '500',
      }),
      registerUser(auth, 'alice'),
      registerUser(auth, 'bob'),
      registerUser(auth, 'carol'),
      registerUser(auth, 'dave'),
    ]);
    await Promise.all([befriend(alice, bob), befriend(alice, dave)]);
    const a = await open(MAIN_MESSENGER, alice);
    ({ chat } = await okAck<{ chat: ChatView }>(a, 'chat:create', { memberIds: [bob.userId] }));
    a.close();
  }, 90_000);

  // Each test opens its own sockets; closing them keeps users under the connection limit.
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.close());
    await new Promise((r) => setTimeout(r, 200));
  });

  afterAll(async () => {
    auth?.close();
    await second?.stop();
  });

  it('delivers a message sent through one instance to sockets on the other', async () => {
    const a = await open(MAIN_MESSENGER, alice);
    const b = await open(second.url, bob);
    const atBob = collect<{ message: MessageView }>(b, 'message:new');
    const atAlice = collect<{ message: MessageView }>(a, 'message:new');

    const fromAlice = await send(a, chat.id, 'to the other instance');
    await waitFor(atBob, (e) => e.message.id === fromAlice.id);

    const fromBob = await send(b, chat.id, 'and back');
    await waitFor(atAlice, (e) => e.message.id === fromBob.id);
    expect(fromBob.seq).toBe(fromAlice.seq + 1);
  });

  describe('friendship while friends cannot be reached', () => {
    it('answers from the replica: friends yes, strangers and blocked users no', async () => {
      const a = await open(second.url, alice);

      // The replica is eventually consistent: under load, friends' accepted event may still
      // be on its way when this runs.
      const direct = await eventually(() =>
        okAck<{ chat: ChatView }>(a, 'chat:create', { memberIds: [bob.userId] }),
      );
      expect(direct.chat.id).toBe(chat.id);

      const stranger = await ack(a, 'chat:create', { memberIds: [carol.userId] });
      expect(stranger).toEqual({
        ok: false,
        error: expect.objectContaining({ code: ErrorCodes.MESSENGER_NOT_FRIENDS }),
      });

      // Dave is a friend until he blocks Alice; the replica hears of it from friends' events.
      await eventually(async () => {
        const reply = await ack(a, 'chat:create', { memberIds: [dave.userId] });
        return reply.ok ? true : undefined;
      });
      const blocked = await friendsApi(dave, '/v1/blocks', { userId: alice.userId });
      expect(blocked.status).toBeLessThan(300);
      const refusal = await eventually(async () => {
        const reply = await ack(a, 'chat:create', { memberIds: [dave.userId] });
        return reply.ok ? undefined : reply;
      });
      expect(refusal.error.code).toBe(ErrorCodes.MESSENGER_NOT_FRIENDS);

      // The instance that can reach friends refuses the blocked pair too (AreFriends).
      const main = await open(MAIN_MESSENGER, alice);
      const viaGrpc = await ack(main, 'chat:create', { memberIds: [dave.userId] });
      expect(viaGrpc).toEqual({
        ok: false,
        error: expect.objectContaining({ code: ErrorCodes.MESSENGER_NOT_FRIENDS }),
      });
    });
  });

  describe('limits', () => {
    it('refuses a browser Origin off the allowlist and accepts a listed one', async () => {
      await expect(
        refused(second.url, alice.accessToken, { origin: 'http://evil.example.test' }),
      ).resolves.toBeInstanceOf(Error);
      const allowed = await connected(second.url, alice.accessToken, { origin: ALLOWED_ORIGIN });
      sockets.push(allowed);
      expect(allowed.connected).toBe(true);
    });

    it('counts a user’s connections across instances', async () => {
      const erin = await registerUser(auth, 'erin');
      await open(MAIN_MESSENGER, erin);
      await open(MAIN_MESSENGER, erin);
      await open(second.url, erin);

      const fourth = await refused(second.url, erin.accessToken);
      expect(fourth.data?.code).toBe(ErrorCodes.RATE_LIMITED);
    });

    it('holds each socket to a token bucket: a burst up to capacity, then the refill rate', async () => {
      const [burst, calm] = [await open(second.url, bob), await open(second.url, bob)];
      const message = (text: string) => ({ chatId: chat.id, clientMessageId: randomUUID(), text });
      const rateLimited = {
        ok: false,
        error: expect.objectContaining({ code: ErrorCodes.RATE_LIMITED }),
      };

      // Capacity 5: of 8 sent in the same instant, 5 pass and the rest are refused.
      const burstAt = Date.now();
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => ack(burst, 'message:send', message(`burst ${i}`))),
      );
      expect(replies.filter((r) => r.ok)).toHaveLength(5);
      expect(replies.filter((r) => !r.ok)).toEqual(Array.from({ length: 3 }, () => rateLimited));
      expect(burst.connected).toBe(true);

      // Another socket of the same user has its own full bucket.
      await send(calm, chat.id, 'unaffected');

      // One token a second: 1.3 s after the burst one token is back, not a whole new budget.
      await new Promise((r) => setTimeout(r, Math.max(0, burstAt + 1_300 - Date.now())));
      const afterRefill = await Promise.all([
        ack(burst, 'message:send', message('refilled 1')),
        ack(burst, 'message:send', message('refilled 2')),
      ]);
      expect(afterRefill.filter((r) => r.ok)).toHaveLength(1);
      expect(afterRefill.filter((r) => !r.ok)).toEqual([rateLimited]);
    });

    it('closes a socket that sends an oversized packet, and only that socket', async () => {
      const big = await connected(second.url, alice.accessToken);
      sockets.push(big);
      const other = await open(second.url, alice);
      const closed = new Promise<string>((resolve) => big.once('disconnect', resolve));
      big.emit('message:send', {
        chatId: chat.id,
        clientMessageId: 'big',
        text: 'x'.repeat(8_000),
      });
      await expect(closed).resolves.toEqual(expect.any(String));
      await send(other, chat.id, 'still here');
    });
  });

  it('applies a removal made on one instance to pushes and reads on the other at once', async () => {
    const erin = await registerUser(auth, 'erin');
    await befriend(alice, erin);
    const a = await open(second.url, alice);
    // The second instance cannot reach friends: it waits for its replica to hear of Erin.
    const { chat: group } = await eventually(() =>
      okAck<{ chat: ChatView }>(a, 'chat:create', {
        memberIds: [bob.userId, erin.userId],
        title: 'two instances',
      }),
    );
    const b = await open(MAIN_MESSENGER, bob);
    const d = await open(MAIN_MESSENGER, erin);
    const atBob = collect<{ message: MessageView }>(b, 'message:new');
    const atDave = collect<{ message: MessageView }>(d, 'message:new');

    await okAck(a, 'chat:members:remove', { chatId: group.id, userId: bob.userId });
    const after = await send(d, group.id, 'bob is gone');
    await waitFor(atDave, (e) => e.message.id === after.id);
    expect(await ack(b, 'message:history', { chatId: group.id })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: ErrorCodes.MESSENGER_CHAT_NOT_MEMBER }),
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(atBob.filter((e) => e.message.chatId === group.id)).toHaveLength(0);
  });

  it("applies a departure made on one instance to the leaver's sockets on every instance at once", async () => {
    const gus = await registerUser(auth, 'gus');
    await befriend(alice, gus);
    const a = await open(MAIN_MESSENGER, alice);
    const { chat: group } = await eventually(() =>
      okAck<{ chat: ChatView }>(a, 'chat:create', {
        memberIds: [bob.userId, gus.userId],
        title: 'leaving across instances',
      }),
    );
    // Bob has a device on each instance and leaves from the second one.
    const bobHere = await open(MAIN_MESSENGER, bob);
    const bobThere = await open(second.url, bob);
    const atBobHere = collect<{ message: MessageView }>(bobHere, 'message:new');
    const atBobThere = collect<{ message: MessageView }>(bobThere, 'message:new');
    const g = await open(MAIN_MESSENGER, gus);
    const atGus = collect<{ message: MessageView }>(g, 'message:new');

    await okAck(bobThere, 'chat:leave', { chatId: group.id });
    const after = await send(a, group.id, 'bob has left');
    await waitFor(atGus, (e) => e.message.id === after.id);
    for (const device of [bobHere, bobThere]) {
      expect(await ack(device, 'message:history', { chatId: group.id })).toEqual(
        refusedWith(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER),
      );
    }
    await new Promise((r) => setTimeout(r, 300));
    const leaked = [...atBobHere, ...atBobThere].filter((e) => e.message.chatId === group.id);
    expect(leaked).toHaveLength(0);
  });

  it('catches a client up after the instance it was on is killed: nothing missed, nothing doubled', async () => {
    const onSecond = await open(second.url, alice);
    const b = await open(MAIN_MESSENGER, bob);
    const atAlice = collect<{ message: MessageView }>(onSecond, 'message:new');
    const atBob = collect<{ message: MessageView }>(b, 'message:new');
    const bobTimeline = collectFrom(b, 'timeline');
    const presenceAtBob = collect<{ userId: string; online: boolean }>(b, 'presence');

    const seen = await send(b, chat.id, 'before the crash');
    await waitFor(atAlice, (e) => e.message.id === seen.id);
    const lastSeq = Math.max(...atAlice.map((e) => e.message.seq));

    // Alice sends and the instance dies before she hears back: the ack is lost (her client
    // is bound to that instance and gives up when closed).
    const clientMessageId = randomUUID();
    const payload = { chatId: chat.id, clientMessageId, text: 'did this arrive?' };
    void onSecond.send(payload).catch(() => undefined);
    presenceAtBob.length = 0;
    await second.kill9();

    const missed = [
      await send(b, chat.id, 'while you were away'),
      await send(b, chat.id, 'still?'),
    ];

    // Her instance died without a goodbye, yet her friends are told she went offline: the
    // surviving instance sweeps once the dead one's socket entries expire.
    await waitFor(presenceAtBob, (p) => p.userId === alice.userId && !p.online, 10_000);

    // Alice's client reconnects to the surviving instance, resends, then catches up.
    const back = await open(MAIN_MESSENGER, alice);
    const resent = await okAck<{ message: MessageView }>(back, 'message:send', payload);
    const { chats } = await okAck<{
      chats: Array<{ chatId: string; events: TimelineEvent[]; hasMore: boolean }>;
    }>(back, 'sync', { chats: [{ chatId: chat.id, afterSeq: lastSeq }] });

    const caughtUp = chats[0];
    const caughtUpMessages = createdMessages(caughtUp.events);
    expect(caughtUp.hasMore).toBe(false);
    expect(caughtUp.events.map((e) => e.seq)).toEqual(
      Array.from({ length: caughtUp.events.length }, (_, i) => lastSeq + 1 + i),
    );
    expect(caughtUpMessages.map((m) => m.id)).toEqual(
      expect.arrayContaining([...missed.map((m) => m.id), resent.message.id]),
    );
    expect(caughtUpMessages.filter((m) => m.clientMessageId === clientMessageId)).toHaveLength(1);

    // Bob's client shows Alice's message exactly once, whichever attempt stored it: pushed,
    // or — when the instance died between the commit and the push — fetched by `sync` as
    // soon as the next seq revealed the gap. Pushed at most once either way.
    const seenByBob = () =>
      bobTimeline.filter((u) => createdMessage(u)?.clientMessageId === clientMessageId);
    await eventually(() => Promise.resolve(seenByBob().length > 0 || undefined), 8_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(seenByBob().map((u) => createdMessage(u)?.id)).toEqual([resent.message.id]);
    expect(
      atBob.filter((e) => e.message.clientMessageId === clientMessageId).length,
    ).toBeLessThanOrEqual(1);
  });

  it('pages a long catch-up with hasMore', async () => {
    const a = await open(MAIN_MESSENGER, alice);
    const b = await open(MAIN_MESSENGER, bob);
    const start = (await send(b, chat.id, 'page start')).seq;
    for (let i = 0; i < 3; i += 1) await send(b, chat.id, `page ${i}`);

    const first = await okAck<{ chats: Array<{ events: TimelineEvent[]; hasMore: boolean }> }>(
      a,
      'sync',
      { chats: [{ chatId: chat.id, afterSeq: start }], limit: 2 },
    );
    expect(createdMessages(first.chats[0].events).map((m) => m.text)).toEqual(['page 0', 'page 1']);
    expect(first.chats[0].hasMore).toBe(true);

    const rest = await okAck<{ chats: Array<{ events: TimelineEvent[]; hasMore: boolean }> }>(
      a,
      'sync',
      { chats: [{ chatId: chat.id, afterSeq: first.chats[0].events[1].seq }], limit: 2 },
    );
    expect(createdMessages(rest.chats[0].events).map((m) => m.text)).toEqual(['page 2']);
    expect(rest.chats[0].hasMore).toBe(false);
  });
});
