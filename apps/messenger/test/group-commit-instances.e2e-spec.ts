import { ErrorCodes } from '@app/contracts';
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
  type ExtraMessenger,
  MAIN_MESSENGER,
  type MessageView,
  okAck,
  send,
  sparePort,
  startMessenger,
  waitFor,
} from './support/messenger-clients';

/**
 * The membership cache behind `typing` and the group-committed writes (docs/adr/0032),
 * across two instances: a change made on one reaches the other's cache through the
 * Redis channel, and concurrent senders on both instances still share one gapless
 * timeline.
 */
describe('messenger: group commit across instances', () => {
  let auth: AuthGrpcClient;
  let second: ExtraMessenger;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  let group: ChatView;
  const sockets: Socket[] = [];
  const open = async (url: string, user: TestUser) => {
    const socket = await connected(url, user.accessToken);
    sockets.push(socket);
    return socket;
  };
  const notAMember = {
    ok: false,
    error: expect.objectContaining({ code: ErrorCodes.MESSENGER_CHAT_NOT_MEMBER }),
  };

  beforeAll(async () => {
    auth = authClient();
    [second, alice, bob, carol, dave] = await Promise.all([
      startMessenger(sparePort(2), {
        KAFKA_GROUP_ID: `${serviceEnv('messenger').KAFKA_GROUP_ID}-group-commit`,
      }),
      registerUser(auth, 'alice'),
      registerUser(auth, 'bob'),
      registerUser(auth, 'carol'),
      registerUser(auth, 'dave'),
    ]);
    await Promise.all([befriend(alice, bob), befriend(alice, carol), befriend(alice, dave)]);
    const a = await open(MAIN_MESSENGER, alice);
    ({ chat: group } = await eventually(() =>
      okAck<{ chat: ChatView }>(a, 'chat:create', {
        memberIds: [bob.userId, dave.userId],
        title: 'two instances',
      }),
    ));
  }, 90_000);

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    auth?.close();
    await second?.stop();
  });

  it('lets a member added on one instance type and send on the other at once', async () => {
    const b = await open(second.url, bob);
    const c = await open(second.url, carol);
    // The second instance caches the chat without Carol.
    await okAck(b, 'typing', { chatId: group.id });
    expect(await ack(c, 'typing', { chatId: group.id })).toEqual(notAMember);

    const a = await open(MAIN_MESSENGER, alice);
    // messenger's replica may not have heard of the Alice–Carol friendship yet.
    await eventually(() =>
      okAck(a, 'chat:members:add', { chatId: group.id, userIds: [carol.userId] }),
    );
    // No waiting for the invalidation: a cached "no" is always confirmed in the database.
    await okAck(c, 'typing', { chatId: group.id });
    await send(c, group.id, 'hello from the other instance');
  });

  it('stops a member removed on one instance from typing on the other', async () => {
    const a = await open(MAIN_MESSENGER, alice);
    const c = await open(second.url, carol);
    const atAlice = collect<{ chatId: string; userId: string }>(a, 'typing');
    await okAck(c, 'typing', { chatId: group.id });
    await waitFor(atAlice, (t) => t.userId === carol.userId);

    await okAck(a, 'chat:members:remove', { chatId: group.id, userId: carol.userId });
    // The second instance drops the chat when the removal's message arrives over Redis:
    // within a few milliseconds, not at some expiry.
    const started = Date.now();
    await eventually(async () => {
      const reply = await ack(c, 'typing', { chatId: group.id });
      return reply.ok ? undefined : reply;
    }, 2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await ack(c, 'typing', { chatId: group.id })).toEqual(notAMember);
    expect(
      await ack(c, 'message:send', {
        chatId: group.id,
        clientMessageId: `after-removal-${Date.now()}`,
        text: 'still here?',
      }),
    ).toEqual(notAMember);
  });

  it('numbers concurrent senders on both instances into one gapless timeline', async () => {
    const onMain = await Promise.all([open(MAIN_MESSENGER, alice), open(MAIN_MESSENGER, bob)]);
    const onSecond = await Promise.all([open(second.url, alice), open(second.url, bob)]);
    const sent = await Promise.all(
      [...onMain, ...onSecond].flatMap((socket, i) =>
        Array.from({ length: 8 }, (_, j) => send(socket, group.id, `both ${i}-${j}`)),
      ),
    );
    const seqs = sent.map((m: MessageView) => m.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => seqs[0] + k));
    expect(new Set(sent.map((m) => m.id)).size).toBe(32);
  });
});
