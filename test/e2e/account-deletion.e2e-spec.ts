/**
 * Account deletion end to end: one user with friends, a pending request, blocks both ways,
 * an idempotent request, a direct chat and a group with messages and reactions deletes the
 * account; then every service's database and API is checked for what is left of them
 * (ARCHITECTURE.md, "Cross-service rules"): nothing but tombstones of their messages,
 * which keep the other members' timelines and seqs whole, and id-only event rows (the
 * outboxes' copies of the email, nickname, display name and avatar are erased, ADR 0022).
 */
import { ErrorCodes } from '@app/contracts';
import {
  type ExecuteArgs,
  MyFriendsDocument,
  type TypedDocumentString,
  UpdateProfileDocument,
  UserByNicknameDocument,
  UserDocument,
} from '@app/profile-client';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { MessengerClient } from '@app/messenger-client';
import {
  ack,
  befriend,
  type ChatView,
  connectClient,
  friendsApi,
  MAIN_MESSENGER,
  type MessageView,
  okAck,
  send,
} from '../../apps/messenger/test/support/messenger-clients';
import {
  acceptedEverywhere,
  type AccountsGrpcClient,
  accountsClient,
  authHttp,
  refusedEverywhereWithin,
  registerSessionUser,
  type SessionUser,
} from './support/accounts';
import { eventually, profileClient } from './support/clients';
import { type ServiceName, serviceEnv, stack } from './support/stack';

/** Rows of a service's own e2e database. */
async function rows<T = Record<string, unknown>>(
  service: ServiceName,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: serviceEnv(service).DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Rows of an event table about the user (`$1`, anywhere in the envelope) that carry any of
 * the user's personal strings (`$2`: email, nickname, display name, avatar, message text).
 */
const PERSONAL_EVENTS = `outbox_events
  WHERE strpos(envelope::text, $1::text) > 0
    AND EXISTS (SELECT 1 FROM unnest($2::text[]) p
                 WHERE strpos(lower(envelope::text), lower(p)) > 0)`;

/**
 * How many rows of each query mention the user: every table that holds user data, and the
 * event tables' rows about the user that still carry the user's personal data (`personal`).
 */
async function traces(userId: string, personal: string[]): Promise<Record<string, number>> {
  const count = async (service: ServiceName, sql: string) => {
    const params = sql.includes('$2') ? [userId, personal] : [userId];
    const [{ n }] = await rows<{ n: string }>(service, `SELECT count(*) AS n FROM ${sql}`, params);
    return Number(n);
  };
  const checks: Array<[string, ServiceName, string]> = [
    ['auth.credentials', 'auth', 'credentials WHERE user_id = $1'],
    ['auth.registrations_in_progress', 'auth', 'registrations_in_progress WHERE user_id = $1'],
    ['auth.outbox_events personal', 'auth', PERSONAL_EVENTS],
    ['profile.outbox_events personal', 'profile', PERSONAL_EVENTS],
    ['friends.outbox_events personal', 'friends', PERSONAL_EVENTS],
    ['messenger.outbox_events personal', 'messenger', PERSONAL_EVENTS],
    ['auth.refresh_token_families', 'auth', 'refresh_token_families WHERE user_id = $1'],
    [
      'auth.refresh_tokens',
      'auth',
      'refresh_tokens t JOIN refresh_token_families f ON f.id = t.family_id WHERE f.user_id = $1',
    ],
    ['auth.oauth_identities', 'auth', 'oauth_identities WHERE user_id = $1'],
    ['profile.profiles', 'profile', 'profiles WHERE id = $1'],
    ['profile.nickname_reservations', 'profile', 'nickname_reservations WHERE user_id = $1'],
    ['profile.friendships', 'profile', 'friendships WHERE user_id = $1 OR friend_id = $1'],
    ['friends.users', 'friends', 'users WHERE id = $1'],
    [
      'friends.friend_requests',
      'friends',
      'friend_requests WHERE from_user_id = $1 OR to_user_id = $1',
    ],
    ['friends.friendships', 'friends', 'friendships WHERE user_id = $1 OR friend_id = $1'],
    ['friends.blocks', 'friends', 'blocks WHERE blocker_id = $1 OR blocked_id = $1'],
    [
      'friends.friendship_pairs',
      'friends',
      'friendship_pairs WHERE user_low = $1 OR user_high = $1',
    ],
    [
      'friends.friendship_events',
      'friends',
      `friendship_events WHERE aggregate_id LIKE '%' || $1::text || '%'`,
    ],
    ['friends.idempotency_keys', 'friends', 'idempotency_keys WHERE user_id = $1'],
    ['messenger.users', 'messenger', 'users WHERE id = $1'],
    ['messenger.chat_members', 'messenger', 'chat_members WHERE user_id = $1'],
    ['messenger.friendships', 'messenger', 'friendships WHERE user_id = $1 OR friend_id = $1'],
    ['messenger.blocks', 'messenger', 'blocks WHERE user_id = $1 OR blocked_user_id = $1'],
    ['messenger.message_reactions', 'messenger', 'message_reactions WHERE user_id = $1'],
    [
      'messenger.messages with text',
      'messenger',
      `messages WHERE sender_id = $1 AND (text <> '' OR deleted_at IS NULL)`,
    ],
  ];
  const counts = await Promise.all(checks.map(([, service, sql]) => count(service, sql)));
  return Object.fromEntries(checks.map(([name], i) => [name, counts[i]]));
}

const nothingLeft = (found: Record<string, number>) =>
  Object.entries(found).filter(([, n]) => n > 0);

/** profile's answer to a typed operation as `token`'s user; fails the test on GraphQL errors. */
async function profileQuery<TResult, TVariables>(
  token: string,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const args = [{ token, variables }] as unknown as ExecuteArgs<TVariables>;
  const { data, errors } = await profileClient().execute(document, ...args);
  if (errors || !data) throw new Error(JSON.stringify(errors));
  return data;
}

describe('account deletion across services', () => {
  let auth: AccountsGrpcClient;
  let alice: SessionUser;
  let bob: SessionUser;
  let carol: SessionUser;
  let dave: SessionUser;
  let erin: SessionUser;
  let frank: SessionUser;
  // Alice and Bob chat through messenger's typed client (@app/messenger-client).
  const sockets: MessengerClient[] = [];
  let aliceSocket: MessengerClient;
  let bobSocket: MessengerClient;
  let direct: ChatView;
  let group: ChatView;
  let sentByAlice: MessageView[];
  let sentByBob: MessageView;
  // What profile's events carry of Alice besides her nickname.
  const aliceProfile = {
    displayName: `Alice Liddell ${randomUUID().slice(0, 8)}`,
    avatarUrl: `https://cdn.example.com/${randomUUID()}.png`,
  };
  /** Everything personal of Alice's that an event table could hold. */
  const alicePersonal = () => [
    alice.email,
    alice.nickname,
    aliceProfile.displayName,
    aliceProfile.avatarUrl,
    ...sentByAlice.map((m) => m.text),
  ];

  beforeAll(async () => {
    auth = accountsClient();
    [alice, bob, carol, dave, erin, frank] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((p) => registerSessionUser(auth, p)),
    );
    await Promise.all([befriend(alice, bob), befriend(alice, frank)]);
    // profile.profile.updated.v1 carries the display name and avatar to messenger.
    await eventually(async () => {
      const { updateProfile } = await profileQuery(alice.accessToken, UpdateProfileDocument, {
        input: aliceProfile,
      });
      return updateProfile.displayName === aliceProfile.displayName ? true : undefined;
    });
    // friends learns of users from auth's events: retry until it knows them. Sent with an
    // Idempotency-Key (a new one per attempt), so friends keeps an answer of Alice's.
    let attempt = 0;
    await eventually(async () => {
      attempt += 1;
      const response = await fetch(`${stack.friends.http}/v1/friends/requests`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${alice.accessToken}`,
          'content-type': 'application/json',
          'idempotency-key': `delete-me-${attempt}`,
        },
        body: JSON.stringify({ userId: carol.userId }),
      });
      return response.status === 201 ? true : undefined;
    });
    for (const [blocker, blocked] of [
      [alice, dave],
      [erin, alice],
    ]) {
      const response = await eventually(async () => {
        const r = await friendsApi(blocker, '/v1/blocks', { userId: blocked.userId });
        return r.status === 201 ? r : undefined;
      });
      expect(response.status).toBe(201);
    }

    [aliceSocket, bobSocket] = await Promise.all(
      [alice, bob].map((u) => connectClient(MAIN_MESSENGER, u.accessToken)),
    );
    sockets.push(aliceSocket, bobSocket);
    ({ chat: direct } = await okAck<{ chat: ChatView }>(aliceSocket, 'chat:create', {
      memberIds: [bob.userId],
    }));
    ({ chat: group } = await okAck<{ chat: ChatView }>(aliceSocket, 'chat:create', {
      memberIds: [bob.userId, frank.userId],
      title: 'book club',
    }));
    sentByAlice = [
      await send(aliceSocket, direct.id, 'hello bob, this is alice'),
      await send(aliceSocket, group.id, 'welcome to the book club'),
    ];
    sentByBob = await send(bobSocket, direct.id, 'hi alice');
    await okAck(aliceSocket, 'reaction:add', {
      chatId: direct.id,
      messageId: sentByBob.id,
      emoji: '👍',
    });
    await okAck(bobSocket, 'reaction:add', {
      chatId: direct.id,
      messageId: sentByAlice[0].id,
      emoji: '❤️',
    });
    await acceptedEverywhere(alice.accessToken, alice.userId);
  });

  afterAll(() => {
    sockets.forEach((socket) => socket.close());
    auth?.close();
  });

  it('refuses a deletion without the right password or a valid token, and deletes nothing', async () => {
    const wrong = await authHttp('DELETE', '/v1/auth/account', {
      token: alice.accessToken,
      body: { password: 'not-the-password' },
    });
    expect(wrong).toEqual({
      status: 401,
      body: expect.objectContaining({ code: ErrorCodes.AUTH_INVALID_CREDENTIALS }),
    });
    const anonymous = await authHttp('DELETE', '/v1/auth/account', {
      body: { password: alice.password },
    });
    expect(anonymous.status).toBe(401);
    expect(await traces(alice.userId, alicePersonal())).toMatchObject({ 'auth.credentials': 1 });
    await expect(
      auth.login({ email: alice.email, password: alice.password }),
    ).resolves.toBeDefined();
  });

  it('deletes: every session refused at once, email and nickname free at once, every service erases the user within seconds', async () => {
    const expired = new Promise<unknown>((resolve) => aliceSocket.once('auth:expired', resolve));
    // Alice's data is there to find: her texts, and her registration and profile's events.
    expect(await traces(alice.userId, alicePersonal())).toMatchObject({
      'messenger.messages with text': 2,
      'auth.outbox_events personal': 1,
      'profile.outbox_events personal': 1,
    });

    const deleted = await authHttp('DELETE', '/v1/auth/account', {
      token: alice.accessToken,
      body: { password: alice.password },
    });
    expect(deleted).toEqual({ status: 200, body: {} });

    // The same email and nickname register again right away (a new account, a new id).
    const again = await auth.register({
      email: alice.email,
      password: `pw-${alice.userId}`,
      nickname: alice.nickname,
    });
    expect(again.userId).not.toBe(alice.userId);

    await refusedEverywhereWithin(alice.accessToken, alice.userId);
    await expect(expired).resolves.toMatchObject({ code: ErrorCodes.UNAUTHENTICATED });
    const login = await authHttp('POST', '/v1/auth/login', {
      body: { email: alice.email, password: alice.password },
    });
    expect(login.status).toBe(401);

    // Within seconds, nothing of Alice is left in any service's database.
    await eventually(async () => {
      const left = nothingLeft(await traces(alice.userId, alicePersonal()));
      if (left.length > 0) throw new Error(`left: ${JSON.stringify(left)}`);
      return true;
    }, 15_000);
  });

  it('leaves the others a world without Alice: profile, friends and blocks lists, chats', async () => {
    const { user } = await profileQuery(bob.accessToken, UserDocument, { id: alice.userId });
    expect(user).toBeNull();
    const { userByNickname } = await profileQuery(bob.accessToken, UserByNicknameDocument, {
      nickname: alice.nickname,
    });
    expect(userByNickname?.id).not.toBe(alice.userId);
    const { me } = await profileQuery(bob.accessToken, MyFriendsDocument, {});
    expect(me.friendsCount).toBe(0);

    const listOf = async (user: SessionUser, path: string) =>
      (await (await friendsApi(user, path, undefined, 'GET')).json()) as { items: unknown[] };
    expect((await listOf(bob, '/v1/friends')).items).toEqual([]);
    expect((await listOf(carol, '/v1/friends/requests?direction=incoming')).items).toEqual([]);
    expect((await listOf(erin, '/v1/blocks')).items).toEqual([]);
    // Alice's id names nobody now: friends refuses a request to it.
    const toAlice = await friendsApi(bob, '/v1/friends/requests', { userId: alice.userId });
    expect(toAlice.status).toBe(404);

    // Her messages are tombstones in place; the timeline keeps its seqs.
    const { messages } = await okAck<{ messages: MessageView[] }>(bobSocket, 'message:history', {
      chatId: direct.id,
    });
    const tombstone = messages.find((m) => m.id === sentByAlice[0].id);
    expect(tombstone).toMatchObject({
      seq: sentByAlice[0].seq,
      senderId: alice.userId,
      text: '',
      deletedAt: expect.any(String),
      reactions: [],
    });
    expect(messages.find((m) => m.id === sentByBob.id)).toMatchObject({
      text: 'hi alice',
      reactions: [],
    });
    const { chat } = await okAck<{ chat: ChatView }>(bobSocket, 'chat:get', { chatId: group.id });
    expect(chat.members.map((m) => m.userId).sort()).toEqual([bob.userId, frank.userId].sort());
    expect(chat.members.some((m) => m.role === 'owner')).toBe(true);
    const history = await ack(bobSocket, 'message:history', { chatId: group.id });
    expect(history).toMatchObject({
      ok: true,
      messages: expect.arrayContaining([
        expect.objectContaining({ id: sentByAlice[1].id, text: '' }),
      ]),
    });
  });
});
