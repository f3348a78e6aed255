/**
 * An account deleted while the services that must erase it are down: `auth.user.deleted.v1`
 * waits on its topic, and once friends and profile are back each erases the user — the
 * friendship, the block, the pending request, the pair history and the friend lists on both
 * sides — as if they had been up all along.
 *
 * The suite stands in for auth: users come from `auth.user.registered.v1` events it
 * produces, and the deletion is the `auth.user.deleted.v1` event auth's outbox would publish.
 */
import { Topics } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually, produce } from './support/bus';
import { call } from './support/http';
import { databaseUrl, DIRECT_BROKERS, ports } from './support/layout';
import { resetDatabase, ServiceProcess } from './support/service-process';
import { TokenIssuer } from './support/token-issuer';
import { type FaultUser, registerUsers } from './support/users';

const FRIENDS_DB = 'friends_faults';
const PROFILE_DB = 'profile_faults';

describe('fault: an account deleted while its consumers are down', () => {
  const issuer = new TokenIssuer();
  const common = { brokers: DIRECT_BROKERS, jwksUrl: issuer.jwksUrl } as const;
  const friends = new ServiceProcess({
    ...common,
    app: 'friends',
    name: 'friends-erasure',
    groupId: 'friends-faults-erasure',
    database: FRIENDS_DB,
    ...ports.friends,
  });
  const profile = new ServiceProcess({
    ...common,
    app: 'profile',
    name: 'profile-erasure',
    groupId: 'profile-faults-erasure',
    database: PROFILE_DB,
    ...ports.profile,
  });
  let friendsDb: Client;
  let profileDb: Client;

  beforeAll(async () => {
    await Promise.all([resetDatabase(FRIENDS_DB), resetDatabase(PROFILE_DB)]);
    await issuer.start();
    await Promise.all([friends.start(), profile.start()]);
    friendsDb = new Client({ connectionString: databaseUrl(FRIENDS_DB) });
    profileDb = new Client({ connectionString: databaseUrl(PROFILE_DB) });
    await Promise.all([friendsDb.connect(), profileDb.connect()]);
  });

  afterAll(async () => {
    await Promise.all([friendsDb?.end(), profileDb?.end()]);
    await Promise.all([friends.stop(), profile.stop()]);
    await issuer.close();
  });

  /** Rows that still mention `userId`, per table, in friends' and profile's databases. */
  async function traces(userId: string): Promise<Record<string, number>> {
    const count = async (db: Client, sql: string) =>
      (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, [userId])).rows[0].n;
    return {
      'friends.users': await count(friendsDb, 'users WHERE id = $1'),
      'friends.friend_requests': await count(
        friendsDb,
        'friend_requests WHERE from_user_id = $1 OR to_user_id = $1',
      ),
      'friends.friendships': await count(
        friendsDb,
        'friendships WHERE user_id = $1 OR friend_id = $1',
      ),
      'friends.blocks': await count(friendsDb, 'blocks WHERE blocker_id = $1 OR blocked_id = $1'),
      'friends.friendship_pairs': await count(
        friendsDb,
        'friendship_pairs WHERE user_low = $1 OR user_high = $1',
      ),
      'profile.profiles': await count(profileDb, 'profiles WHERE id = $1'),
      'profile.friendships': await count(
        profileDb,
        'friendships WHERE user_id = $1 OR friend_id = $1',
      ),
    };
  }

  const friendsCall = (user: FaultUser, path: string, body?: unknown) =>
    call(friends.url, user.token, 'POST', path, body);

  it('erases the user in every service once it is back', async () => {
    const [gone, friend, blocker, addressee] = await registerUsers(issuer, 4, [
      { db: friendsDb, table: 'users' },
      { db: profileDb, table: 'profiles' },
    ]);
    const request = await friendsCall(gone, '/v1/friends/requests', { userId: friend.id });
    expect(request.status).toBe(201);
    expect(
      (await friendsCall(friend, `/v1/friends/requests/${String(request.body.id)}/accept`)).status,
    ).toBe(200);
    expect((await friendsCall(gone, '/v1/friends/requests', { userId: addressee.id })).status).toBe(
      201,
    );
    expect((await friendsCall(blocker, '/v1/blocks', { userId: gone.id })).status).toBe(201);
    // profile's friend lists follow friends' events.
    await eventually(
      async () => ((await traces(gone.id))['profile.friendships'] === 2 ? true : undefined),
      30_000,
      'the friendship in profile',
    );

    // Stopped, not killed: a killed member holds its partitions until its session times out
    // (30 s), which only makes the wait longer; what is proved is the same.
    await Promise.all([friends.stop(), profile.stop()]);
    await produce(Topics.UserDeleted, [
      {
        key: gone.id,
        envelope: {
          id: randomUUID(),
          type: Topics.UserDeleted,
          version: 1,
          occurredAt: new Date().toISOString(),
          producer: 'auth',
          payload: { userId: gone.id },
        },
      },
    ]);
    // Nobody was there to apply it.
    expect(await traces(gone.id)).toMatchObject({
      'friends.users': 1,
      'friends.friendships': 2,
      'friends.blocks': 1,
      'profile.profiles': 1,
    });

    await Promise.all([friends.start(), profile.start()]);

    const left = await eventually(
      async () => {
        const found = await traces(gone.id);
        return Object.values(found).every((n) => n === 0) ? found : undefined;
      },
      60_000,
      'every trace of the deleted user erased',
    );
    expect(Object.values(left).every((n) => n === 0)).toBe(true);
    // The others are intact, and see no one where the user was.
    const friendList = await call(friends.url, friend.token, 'GET', '/v1/friends');
    expect(friendList).toEqual({ status: 200, body: expect.objectContaining({ items: [] }) });
    expect((await traces(friend.id))['profile.profiles']).toBe(1);
  });
});
