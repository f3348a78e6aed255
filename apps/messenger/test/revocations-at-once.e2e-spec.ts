/**
 * Issue 14's second bypass, taken literally: the very next write after an unfriend or a
 * block is refused — no wait for the `friends.*` event to reach messenger's replica.
 * friends announces the change over Redis before it answers (ADR 0038).
 */
import { ErrorCodes } from '@app/contracts';
import type { MessengerClient } from '@app/messenger-client';
import { randomUUID } from 'node:crypto';
import {
  type AuthGrpcClient,
  authClient,
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
  messengerRows,
  okAck,
  type Pushed,
  refusedWith,
  send,
} from './support/messenger-clients';

describe('messenger: an unfriend or a block holds from the next write on', () => {
  let auth: AuthGrpcClient;
  const clients: MessengerClient[] = [];
  const open = async (user: TestUser) => {
    const client = await connectClient(MAIN_MESSENGER, user.accessToken);
    clients.push(client);
    return client;
  };

  /** Two friends with a direct chat, one message already exchanged. */
  async function friendsWithChat() {
    const [me, peer] = await Promise.all([registerUser(auth, 'me'), registerUser(auth, 'peer')]);
    await befriend(me, peer);
    const [mine, theirs] = await Promise.all([open(me), open(peer)]);
    const { chat } = await okAck<{ chat: ChatView }>(mine, 'chat:create', {
      memberIds: [peer.userId],
    });
    const first = await send(mine, chat.id, 'hello');
    return { me, peer, mine, theirs, chat, first };
  }

  beforeAll(() => {
    auth = authClient();
  });
  afterAll(() => {
    clients.forEach((client) => client.close());
    auth?.close();
  });

  it.each([
    [
      'blocks',
      (peer: TestUser, me: TestUser) => friendsApi(peer, '/v1/blocks', { userId: me.userId }),
      201,
    ],
    [
      'unfriends',
      (peer: TestUser, me: TestUser) =>
        friendsApi(peer, `/v1/friends/${me.userId}`, undefined, 'DELETE'),
      204,
    ],
  ])(
    'refuses the next send, reaction and typing right after the peer %s, five times in a row',
    async (_what, revoke, status) => {
      for (let round = 0; round < 5; round++) {
        const { me, peer, mine, theirs, chat, first } = await friendsWithChat();
        const atPeer = collect<Pushed<'message:new'>>(theirs, 'message:new');
        expect((await revoke(peer, me)).status).toBe(status);

        // At once: no polling, no sleep.
        const text = `right after ${round}`;
        expect(
          await ack(mine, 'message:send', { chatId: chat.id, clientMessageId: randomUUID(), text }),
        ).toEqual(refusedWith(ErrorCodes.MESSENGER_NOT_FRIENDS));
        expect(
          await ack(mine, 'reaction:add', { chatId: chat.id, messageId: first.id, emoji: '👍' }),
        ).toEqual(refusedWith(ErrorCodes.MESSENGER_NOT_FRIENDS));
        expect(await ack(mine, 'typing', { chatId: chat.id })).toEqual(
          refusedWith(ErrorCodes.MESSENGER_NOT_FRIENDS),
        );

        await new Promise((r) => setTimeout(r, 200));
        expect(atPeer.filter((m) => m.message.text === text)).toEqual([]);
        const stored = await messengerRows<{ n: string }>(
          'SELECT count(*) AS n FROM messages WHERE chat_id = $1 AND text = $2',
          [chat.id, text],
        );
        expect(stored[0].n).toBe('0');
      }
    },
  );

  it('refuses adding a user to a group right after they blocked the adder', async () => {
    const [owner, friend, other, blocker] = await Promise.all(
      ['owner', 'friend', 'other', 'blocker'].map((name) => registerUser(auth, name)),
    );
    await Promise.all([friend, other, blocker].map((user) => befriend(owner, user)));
    const mine = await open(owner);
    const { chat } = await okAck<{ chat: ChatView }>(mine, 'chat:create', {
      memberIds: [friend.userId, other.userId],
      title: 'group',
    });
    expect((await friendsApi(blocker, '/v1/blocks', { userId: owner.userId })).status).toBe(201);
    expect(
      await ack(mine, 'chat:members:add', { chatId: chat.id, userIds: [blocker.userId] }),
    ).toEqual(refusedWith(ErrorCodes.MESSENGER_NOT_FRIENDS));
  });

  it('lets two people write again as soon as they are friends again', async () => {
    const { me, peer, mine, chat } = await friendsWithChat();
    expect((await friendsApi(peer, `/v1/friends/${me.userId}`, undefined, 'DELETE')).status).toBe(
      204,
    );
    expect(
      await ack(mine, 'message:send', {
        chatId: chat.id,
        clientMessageId: randomUUID(),
        text: 'x',
      }),
    ).toEqual(refusedWith(ErrorCodes.MESSENGER_NOT_FRIENDS));
    await befriend(me, peer);
    await send(mine, chat.id, 'friends again');
  });
});
