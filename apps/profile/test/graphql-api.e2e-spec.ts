import { ErrorCodes, type EventEnvelope, type EventPayload, Topics } from '@app/contracts';
import {
  MeDocument,
  MyFriendsDocument,
  ProfileUpdatedDocument,
  SearchUsersDocument,
  UpdateProfileDocument,
  UserDocument,
} from '@app/profile-client';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import {
  type AuthGrpcClient,
  authClient,
  eventually,
  profileClient,
  registerUser,
  type TestUser,
} from '../../../test/e2e/support/clients';
import { stack, topic } from '../../../test/e2e/support/stack';
import { graphql, postGraphQL } from './support/graphql';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Normal operations go through the typed client; hostile ones are written by hand below. */
const profile = profileClient();

/** Calls friends' REST API as user `as`. */
async function friendsApi(as: TestUser, method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.friends.http}${path}`, {
    method,
    headers: { authorization: `Bearer ${as.accessToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as { id?: string }) : {} };
}

/** Registers a user and waits until profile consumed the registration. */
async function registered(auth: AuthGrpcClient, prefix: string): Promise<TestUser> {
  const user = await registerUser(auth, prefix);
  await eventually(async () => {
    const response = await profile.execute(MeDocument, { token: user.accessToken });
    return response.data?.me.id;
  });
  return user;
}

/** Makes `a` and `b` friends through the friends service (request + accept). */
async function befriend(a: TestUser, b: TestUser): Promise<void> {
  const sent = await eventually(async () => {
    const response = await friendsApi(a, 'POST', '/v1/friends/requests', { userId: b.userId });
    return response.status === 201 ? response.body : undefined;
  });
  const accepted = await friendsApi(b, 'POST', `/v1/friends/requests/${sent.id}/accept`);
  expect(accepted.status).toBe(200);
}

describe('profile GraphQL API (real HTTP, WebSocket, Kafka)', () => {
  let auth: AuthGrpcClient;
  let ada: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    auth = authClient();
    [ada, bob] = await Promise.all([registered(auth, 'ada'), registered(auth, 'bob')]);
  });
  afterAll(() => auth.close());

  describe('updateProfile', () => {
    let kafka: Consumer;
    const seen: Array<EventEnvelope<EventPayload<typeof Topics.ProfileUpdated>>> = [];

    beforeAll(async () => {
      kafka = new Kafka({ brokers: BROKERS, logLevel: logLevel.NOTHING }).consumer({
        groupId: `profile-updated-spec-${randomUUID()}`,
      });
      await kafka.connect();
      await kafka.subscribe({ topic: topic(Topics.ProfileUpdated), fromBeginning: true });
      await kafka.run({
        eachMessage: ({ message }) => {
          seen.push(JSON.parse(message.value!.toString('utf8')) as (typeof seen)[number]);
          return Promise.resolve();
        },
      });
    });
    afterAll(() => kafka.disconnect());

    it('changes the caller’s profile and publishes profile.profile.updated.v1', async () => {
      const nickname = `Ada_${randomUUID().slice(0, 6)}`;
      const response = await profile.execute(UpdateProfileDocument, {
        token: ada.accessToken,
        variables: {
          input: {
            nickname,
            displayName: ' Ada Lovelace ',
            bio: 'Analyst',
            avatarUrl: 'https://cdn.example.com/ada.png',
          },
        },
      });
      expect(response.errors).toBeUndefined();
      expect(response.data?.updateProfile).toEqual({
        id: ada.userId,
        nickname,
        displayName: 'Ada Lovelace',
        bio: 'Analyst',
        avatarUrl: 'https://cdn.example.com/ada.png',
      });
      ada.nickname = nickname;

      const event = await eventually(async () =>
        Promise.resolve(seen.find((e) => e.payload.userId === ada.userId)),
      );
      expect(event).toMatchObject({
        type: Topics.ProfileUpdated,
        producer: 'profile',
        payload: {
          userId: ada.userId,
          nickname,
          displayName: 'Ada Lovelace',
          avatarUrl: 'https://cdn.example.com/ada.png',
        },
      });
    });

    it('refuses a nickname another user has, in other letter case, with CONFLICT', async () => {
      const response = await profile.execute(UpdateProfileDocument, {
        token: bob.accessToken,
        variables: { input: { nickname: ada.nickname.toUpperCase() } },
      });
      expect(response.data).toBeNull();
      expect(response.errors?.[0]?.extensions).toMatchObject({
        code: 'CONFLICT',
        errorCode: ErrorCodes.PROFILE_NICKNAME_TAKEN,
      });
    });

    it('refuses broken format rules with BAD_USER_INPUT naming each field', async () => {
      const response = await profile.execute(UpdateProfileDocument, {
        token: bob.accessToken,
        variables: {
          input: { nickname: 'no spaces', bio: 'b'.repeat(501), avatarUrl: 'http://x.test/a.png' },
        },
      });
      expect(response.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        errorCode: ErrorCodes.VALIDATION_FAILED,
        details: [{ field: 'nickname' }, { field: 'bio' }, { field: 'avatarUrl' }],
      });
    });

    it('offers no way to name another user: an id in the input is refused', async () => {
      // The typed variables have no `id`: the hostile input goes in by hand.
      const response = await graphql(UpdateProfileDocument.toString(), {
        token: bob.accessToken,
        variables: { input: { id: ada.userId, bio: 'hijacked' } },
      });
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const ada2 = await profile.execute(UserDocument, {
        token: bob.accessToken,
        variables: { id: ada.userId },
      });
      expect(ada2.data?.user?.bio).toBe('Analyst');
    });
  });

  describe('email', () => {
    it('is visible to its owner and FORBIDDEN to anyone else', async () => {
      const own = await profile.execute(MeDocument, { token: ada.accessToken });
      expect(own.data?.me.email).toBe(ada.email);

      const other = await graphql<{ user: { id: string; email: string | null } }>(
        'query ($id: ID!) { user(id: $id) { id email } }',
        { token: bob.accessToken, variables: { id: ada.userId } },
      );
      expect(other.data?.user).toEqual({ id: ada.userId, email: null });
      expect(other.errors?.[0]).toMatchObject({
        path: ['user', 'email'],
        extensions: { code: 'FORBIDDEN', errorCode: ErrorCodes.FORBIDDEN },
      });
    });
  });

  describe('friends read model', () => {
    it('lists friends from friends’ events, pages them, and forgets a removed friendship', async () => {
      const [carol, dave] = await Promise.all([
        registered(auth, 'carol'),
        registered(auth, 'dave'),
      ]);
      await befriend(carol, ada);
      await befriend(carol, dave);
      const friendsOf = (user: TestUser, after?: string | null) =>
        profile.execute(MyFriendsDocument, {
          token: user.accessToken,
          variables: { first: 1, after },
        });

      const first = await eventually(async () => {
        const r = await friendsOf(carol);
        return r.data?.me.friendsCount === 2 ? r.data.me : undefined;
      });
      // Most recent friendship first: dave, then ada.
      expect(first.friends.edges.map((e) => e.node.id)).toEqual([dave.userId]);
      expect(first.friends.pageInfo.hasNextPage).toBe(true);
      const second = await friendsOf(carol, first.friends.pageInfo.endCursor);
      expect(second.data?.me.friends.edges.map((e) => e.node.id)).toEqual([ada.userId]);
      expect(second.data?.me.friends.pageInfo.hasNextPage).toBe(false);

      const removed = await friendsApi(carol, 'DELETE', `/v1/friends/${dave.userId}`);
      expect(removed.status).toBe(204);
      const after = await eventually(async () => {
        const r = await friendsOf(dave);
        return r.data?.me.friendsCount === 0 ? r.data.me : undefined;
      });
      expect(after.friends.edges).toEqual([]);
    });

    it('refuses a forged cursor with BAD_USER_INPUT', async () => {
      const r = await profile.execute(MyFriendsDocument, {
        token: ada.accessToken,
        variables: { after: 'bm9wZQ' },
      });
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('searchUsers', () => {
    it('finds users by nickname prefix, by display name and despite a typo', async () => {
      const search = async (query: string) => {
        const r = await profile.execute(SearchUsersDocument, {
          token: bob.accessToken,
          variables: { query, first: 10 },
        });
        expect(r.errors).toBeUndefined();
        return r.data!.searchUsers.edges.map((e) => e.node.id);
      };
      expect(await search(ada.nickname.slice(0, 6).toLowerCase())).toContain(ada.userId);
      expect(await search('Ada Lovel')).toContain(ada.userId);
      // One letter wrong in the middle of the nickname still finds it.
      const typo = ada.nickname.slice(0, 5) + 'x' + ada.nickname.slice(6);
      expect(await search(typo)).toContain(ada.userId);
      expect(await search(`zz${randomUUID().slice(0, 8)}`)).toEqual([]);
    });
  });

  describe('abuse limits (before any resolver runs)', () => {
    const friendsLevel = (inner: string) => `friends { edges { node { ${inner} } } }`;

    it('refuses a query 20 levels deep with QUERY_TOO_DEEP', async () => {
      let inner = 'id';
      for (let depth = 3; depth < 20; depth += 3) inner = friendsLevel(inner);
      const { status, body } = await postGraphQL({ query: `{ me { ${inner} } }` }, ada.accessToken);
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
    });

    it('refuses first: 100000000 with QUERY_PAGE_TOO_LARGE', async () => {
      const { status, body } = await postGraphQL(
        { query: '{ searchUsers(query: "ada", first: 100000000) { edges { cursor } } }' },
        ada.accessToken,
      );
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: 'QUERY_PAGE_TOO_LARGE',
        limit: 100,
      });
    });

    it('refuses 1000 aliases with QUERY_TOO_MANY_ALIASES', async () => {
      const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: me { id }`).join(' ');
      const { status, body } = await postGraphQL({ query: `{ ${aliases} }` }, ada.accessToken);
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_MANY_ALIASES');
    });

    it('refuses a batched (array) body', async () => {
      const { status, body } = await postGraphQL(
        [{ query: '{ me { id } }' }, { query: '{ me { id } }' }],
        ada.accessToken,
      );
      expect(status).toBe(400);
      expect(body.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/batching/i) as unknown,
        extensions: { code: 'BAD_REQUEST' },
      });
    });
  });

  describe('profileUpdated subscription (graphql-ws)', () => {
    const url = stack.profile.http.replace(/^http/, 'ws') + '/graphql';
    const clients: WsClient[] = [];
    const client = (connectionParams: Record<string, unknown>): WsClient => {
      const created = createClient({
        url,
        webSocketImpl: WebSocket,
        connectionParams,
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(created);
      return created;
    };
    afterAll(() => clients.forEach((c) => void c.dispose()));

    /** Subscribes and resolves the first event, or rejects with the close/error. */
    const firstEvent = (ws: WsClient, userId: string) => {
      const events: unknown[] = [];
      const done = new Promise<unknown>((resolve, reject) => {
        ws.subscribe(
          { query: ProfileUpdatedDocument.toString(), variables: { userId } },
          {
            next: (value) => {
              events.push(value);
              resolve(value);
            },
            error: reject,
            complete: () => resolve(undefined),
          },
        );
      });
      return done;
    };

    it('pushes a profile’s update to an authenticated subscriber', async () => {
      const ws = client({ Authorization: `Bearer ${bob.accessToken}` });
      const connected = new Promise<void>((resolve) => ws.on('connected', () => resolve()));
      const event = firstEvent(ws, ada.userId);
      await connected;
      // The subscription is registered right after the ack; give Redis a moment.
      await new Promise((r) => setTimeout(r, 300));
      await profile.execute(UpdateProfileDocument, {
        token: ada.accessToken,
        variables: { input: { bio: 'live!' } },
      });
      await expect(event).resolves.toEqual({
        data: { profileUpdated: expect.objectContaining({ id: ada.userId, bio: 'live!' }) },
      });
    });

    it.each([
      ['no token', {}],
      ['a garbage token', { authToken: 'not.a.jwt' }],
    ])('closes a connection with %s (4403)', async (_name, params) => {
      const ws = client(params);
      const closed = new Promise<{ code: number }>((resolve) =>
        ws.on('closed', (event) => resolve(event as { code: number })),
      );
      firstEvent(ws, ada.userId).catch(() => undefined);
      await expect(closed).resolves.toMatchObject({ code: 4403 });
    });
  });
});
