/**
 * `chat:create` while messenger's replicas lag behind auth and friends: a person who was
 * just befriended (friends' REST already lists the friendship, which is what the web
 * client's "Friends" list shows) may not have reached messenger's users replica, nor the
 * friendship its replica, yet. messenger must still open the chat, asking friends' own
 * `AreFriends`, and keep `MESSENGER.INVALID_MEMBERS` for ids that are nobody's friend.
 *
 * The lag is made exact rather than waited for: once messenger has applied both users'
 * registrations and the friendship, the spec deletes those rows of its replicas, which is
 * the state messenger is in before the events arrive (the processed-event records stay, so
 * nothing brings them back while the spec runs).
 */
import { AccountLifecycle, ErrorCodes } from '@app/contracts';
import type { MessengerClient } from '@app/messenger-client';
import { randomUUID } from 'node:crypto';
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
  connectClient,
  MAIN_MESSENGER,
  memberIdsOf,
  messengerRows,
  okAck,
  refusedWith,
} from './support/messenger-clients';

/** Waits until messenger's replicas know `other` and, if asked, its friendship with `user`. */
async function replicated(user: TestUser, other: TestUser, friends: boolean): Promise<void> {
  await eventually(async () => {
    const [{ known, befriended }] = await messengerRows<{ known: boolean; befriended: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM users WHERE id = $2) AS known,
              EXISTS (SELECT 1 FROM friendships WHERE user_id = $1 AND friend_id = $2)
                AS befriended`,
      [user.userId, other.userId],
    );
    return known && befriended === friends ? true : undefined;
  });
}

/** Takes `other` and its friendships out of messenger's replicas, as before their events. */
async function forget(other: TestUser): Promise<void> {
  await messengerRows(`DELETE FROM friendships WHERE user_id = $1 OR friend_id = $1`, [
    other.userId,
  ]);
  await messengerRows(`DELETE FROM users WHERE id = $1`, [other.userId]);
}

describe('messenger: chat:create while its replicas lag', () => {
  let auth: AuthGrpcClient;
  let client: MessengerClient | undefined;
  let ana: TestUser;

  beforeAll(async () => {
    auth = authClient();
    ana = await registerUser(auth, 'ana');
  });

  afterAll(() => {
    client?.close();
    auth?.close();
  });

  const open = async () => (client ??= await connectClient(MAIN_MESSENGER, ana.accessToken));

  it('opens a direct chat with a friend neither replica has heard of yet', async () => {
    const ben = await registerUser(auth, 'ben');
    await befriend(ana, ben);
    await replicated(ana, ben, true);
    await forget(ben);

    const socket = await open();
    const { chat } = await okAck<{ chat: ChatView }>(socket, 'chat:create', {
      memberIds: [ben.userId],
    });
    expect(chat.kind).toBe('direct');
    expect(memberIdsOf(chat).sort()).toEqual([ana.userId, ben.userId].sort());
  });

  it('still refuses made-up ids and unknown non-friends as INVALID_MEMBERS', async () => {
    const cid = await registerUser(auth, 'cid');
    await replicated(ana, cid, false);
    await forget(cid);

    const socket = await open();
    expect(await ack(socket, 'chat:create', { memberIds: [randomUUID()] })).toEqual(
      refusedWith(ErrorCodes.MESSENGER_INVALID_MEMBERS),
    );
    expect(await ack(socket, 'chat:create', { memberIds: [cid.userId] })).toEqual(
      refusedWith(ErrorCodes.MESSENGER_INVALID_MEMBERS),
    );
  });

  it('refuses a friend whose account deletion messenger applied before friends did', async () => {
    const dot = await registerUser(auth, 'dot');
    await befriend(ana, dot);
    await replicated(ana, dot, true);
    // messenger erased the account (rows gone, deletion recorded); friends still lists it.
    await forget(dot);
    await messengerRows(
      `INSERT INTO applied_versions (stream, version) VALUES ($1, $2)
       ON CONFLICT (stream) DO UPDATE SET version = EXCLUDED.version`,
      [AccountLifecycle.stream(dot.userId), AccountLifecycle.deleted],
    );

    const socket = await open();
    expect(await ack(socket, 'chat:create', { memberIds: [dot.userId] })).toEqual(
      refusedWith(ErrorCodes.MESSENGER_INVALID_MEMBERS),
    );
  });
});
