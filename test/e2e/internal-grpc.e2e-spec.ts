/**
 * The internal gRPC APIs — every RPC of profile.v1 and friends.v1 — answer only callers
 * that present the service credential, and listen on loopback (ADR 0015). Before, anyone
 * who reached :50052 could squat any nickname for ever (Register then answered 409) and
 * anyone who reached :50053 could read who is friends with whom; these specs replay those
 * calls and see them refused, then check that the services' own calls (auth -> profile,
 * messenger -> friends) still go through.
 */
import { ErrorCodes } from '@app/contracts';
import { isMessengerClientError, MessengerClient } from '@app/messenger-client';
import { UserDocument } from '@app/profile-client';
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import {
  authClient,
  eventually,
  grpcClient,
  profileClient,
  registerUser,
  type AuthGrpcClient,
  type TestUser,
  unary,
} from './support/clients';
import { samples } from './support/monitoring';
import { stack, type ServiceName } from './support/stack';
import { failure } from './support/clients';

type InternalService = 'profile' | 'friends';

/** Each internal RPC with a request it would answer for a caller with the credential. */
const INTERNAL_RPCS: Array<{
  service: InternalService;
  rpc: string;
  method: string;
  request: () => unknown;
}> = [
  {
    service: 'profile',
    rpc: 'GetProfiles',
    method: 'getProfiles',
    request: () => ({ ids: [randomUUID()] }),
  },
  {
    service: 'profile',
    rpc: 'ReserveNickname',
    method: 'reserveNickname',
    request: () => ({ userId: randomUUID(), nickname: `squat_${randomUUID().slice(0, 8)}` }),
  },
  {
    service: 'profile',
    rpc: 'ReleaseNickname',
    method: 'releaseNickname',
    request: () => ({ userId: randomUUID() }),
  },
  {
    service: 'friends',
    rpc: 'AreFriends',
    method: 'areFriends',
    request: () => ({ userId: randomUUID(), otherUserId: randomUUID() }),
  },
  {
    service: 'friends',
    rpc: 'ListFriendIds',
    method: 'listFriendIds',
    request: () => ({ userId: randomUUID() }),
  },
];

const SERVICE_NAMES: Record<InternalService, string> = {
  profile: 'ProfileService',
  friends: 'FriendsService',
};

/** Who calls: a service of the stack, an outsider, or someone who guessed. */
const CALLERS = {
  insider: {},
  outsider: { internalToken: null },
  impostor: { internalToken: 'a-guess-that-is-long-enough-to-look-real-0123' },
} as const;

const clients: grpc.Client[] = [];

function client(service: InternalService, caller: keyof typeof CALLERS): grpc.Client {
  const created = grpcClient(service, SERVICE_NAMES[service], stack[service].grpc, CALLERS[caller]);
  clients.push(created);
  return created;
}

/** The sum of `grpc_server_handling_seconds_count` of one method and status on `service`. */
async function handledCalls(service: ServiceName, method: string, code: string): Promise<number> {
  const text = await (await fetch(`${stack[service].http}/metrics`)).text();
  return samples(text)
    .filter(
      (s) =>
        s.name === 'grpc_server_handling_seconds_count' &&
        s.labels.grpc_method === method &&
        s.labels.grpc_code === code,
    )
    .reduce((sum, s) => sum + s.value, 0);
}

const portOf = (address: string): number => Number(address.slice(address.lastIndexOf(':') + 1));

/**
 * Local addresses (`a.b.c.d`, or `::` style for IPv6) that listen on TCP `port`, from the
 * kernel's socket tables; null where there are none (not Linux).
 */
function listeningAddresses(port: number): string[] | null {
  const LISTEN = '0A';
  const addresses: string[] = [];
  for (const [file, ipv6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    let table: string;
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      return null;
    }
    for (const line of table.trim().split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [hexAddress, hexPort] = local.split(':');
      if (state !== LISTEN || parseInt(hexPort, 16) !== port) continue;
      // IPv4 in the table is one little-endian word.
      addresses.push(
        ipv6
          ? hexAddress
          : (hexAddress.match(/../g) ?? [])
              .reverse()
              .map((byte) => parseInt(byte, 16))
              .join('.'),
      );
    }
  }
  return addresses;
}

/** Whether a TCP connection to `host:port` is accepted (a refusal or timeout says no). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

afterAll(() => {
  for (const created of clients.splice(0)) created.close();
});

describe.each(INTERNAL_RPCS)('$service $rpc', ({ service, method, request }) => {
  it.each(['outsider', 'impostor'] as const)(
    'answers a caller without the right credential (%s) UNAUTHENTICATED',
    async (caller) => {
      const error = await failure(unary(client(service, caller), method)(request()));
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(error.metadata.get('x-error-code')).toEqual([ErrorCodes.UNAUTHENTICATED]);
    },
  );

  it('answers a caller with the service credential', async () => {
    await expect(unary(client(service, 'insider'), method)(request())).resolves.toBeDefined();
  });
});

describe('what the open internal ports allowed', () => {
  let auth: AuthGrpcClient;

  beforeAll(() => {
    auth = authClient();
  });
  afterAll(() => auth.close());

  it('no longer lets an outsider squat a nickname before its owner registers', async () => {
    const nickname = `taken_${randomUUID().slice(0, 8)}`;
    const reserve = unary(client('profile', 'outsider'), 'reserveNickname');
    const error = await failure(reserve({ userId: randomUUID(), nickname }));
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);

    // Before, the squatter's reservation made this ALREADY_EXISTS for ever.
    const tokens = await auth.register({
      email: `${nickname}@example.test`,
      password: `pw-${randomUUID()}`,
      nickname,
    });
    expect(tokens.userId).toEqual(expect.any(String));
  });

  it('no longer tells an outsider who is friends with whom', async () => {
    const [ann, ben] = await Promise.all([registerUser(auth, 'ann'), registerUser(auth, 'ben')]);
    await befriend(ann, ben);
    const pair = { userId: ann.userId, otherUserId: ben.userId };
    await expect(unary(client('friends', 'insider'), 'areFriends')(pair)).resolves.toMatchObject({
      friends: true,
    });
    for (const caller of ['outsider', 'impostor'] as const) {
      const areFriends = await failure(unary(client('friends', caller), 'areFriends')(pair));
      expect(areFriends.code).toBe(grpc.status.UNAUTHENTICATED);
      const list = await failure(
        unary(client('friends', caller), 'listFriendIds')({ userId: ann.userId }),
      );
      expect(list.code).toBe(grpc.status.UNAUTHENTICATED);
    }
  });
});

describe('where the internal gRPC servers listen', () => {
  const internal = [
    { service: 'profile', port: portOf(stack.profile.grpc) },
    { service: 'friends', port: portOf(stack.friends.grpc) },
  ] as const;
  const authPort = portOf(stack.auth.grpc);

  it('binds profile and friends to 127.0.0.1 only, by default', () => {
    // auth's public port is the control: it listens on every interface.
    const authAddresses = listeningAddresses(authPort);
    if (authAddresses === null) return; // no /proc: the connection test below still runs
    expect(authAddresses).toContain('0.0.0.0');
    for (const { service, port } of internal) {
      expect({ service, addresses: listeningAddresses(port) }).toEqual({
        service,
        addresses: ['127.0.0.1'],
      });
    }
  });

  it("refuses connections on the machine's other addresses", async () => {
    const outward = Object.values(networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
    if (!outward) return; // loopback is the only interface: nothing else to reach it from
    // The control: auth's public gRPC port answers on that address.
    await expect(accepts(outward, authPort)).resolves.toBe(true);
    for (const { service, port } of internal) {
      expect({ service, accepted: await accepts(outward, port) }).toEqual({
        service,
        accepted: false,
      });
      expect({ service, loopback: await accepts('127.0.0.1', port) }).toEqual({
        service,
        loopback: true,
      });
    }
  });
});

describe('the services’ own internal calls, with the credential', () => {
  let auth: AuthGrpcClient;
  let socket: MessengerClient | undefined;

  beforeAll(() => {
    auth = authClient();
  });
  afterAll(() => {
    socket?.close();
    auth.close();
  });

  it('register -> profile -> friends -> messenger AreFriends works end to end', async () => {
    const before = {
      reserved: await handledCalls('profile', 'ReserveNickname', 'OK'),
      profileRefused: await handledCalls('profile', 'ReserveNickname', 'UNAUTHENTICATED'),
      checked: await handledCalls('friends', 'AreFriends', 'OK'),
      friendsRefused: await handledCalls('friends', 'AreFriends', 'UNAUTHENTICATED'),
    };

    // auth reserves each nickname in profile over gRPC, sending the credential.
    const [eve, fay] = await Promise.all([registerUser(auth, 'eve'), registerUser(auth, 'fay')]);
    expect(await handledCalls('profile', 'ReserveNickname', 'OK')).toBeGreaterThanOrEqual(
      before.reserved + 2,
    );
    await eventually(async () => {
      const profile = await userProfile(eve, fay.userId);
      return profile?.nickname === fay.nickname ? profile : undefined;
    });

    await befriend(eve, fay);

    // messenger answers "friends" from its replica, and asks friends over gRPC whenever the
    // replica cannot confirm a friendship: the proof is friends' own count of AreFriends
    // answered OK, for a stranger the replica knows nothing about.
    socket = new MessengerClient({
      url: stack.messenger.http,
      token: eve.accessToken,
      reconnection: false,
    });
    await socket.connect();
    const messenger = socket;
    const create = (memberId: string) =>
      messenger.createChat({ memberIds: [memberId] }, { timeoutMs: 10_000 });
    const chat = await eventually(
      async () => (await create(fay.userId).catch(() => undefined))?.chat,
    );
    expect(chat.kind).toBe('direct');
    const gus = await registerUser(auth, 'gus');
    const refused = await eventually(() =>
      create(gus.userId).then(
        () => undefined,
        // Until messenger hears of gus he is an unknown user; then friends is asked.
        (error: unknown) =>
          isMessengerClientError(error, ErrorCodes.MESSENGER_NOT_FRIENDS) ? error : undefined,
      ),
    );
    expect(refused.code).toBe(ErrorCodes.MESSENGER_NOT_FRIENDS);
    expect(await handledCalls('friends', 'AreFriends', 'OK')).toBeGreaterThan(before.checked);

    // Nothing of the stack's own was refused meanwhile.
    expect(await handledCalls('profile', 'ReserveNickname', 'UNAUTHENTICATED')).toBe(
      before.profileRefused,
    );
    expect(await handledCalls('friends', 'AreFriends', 'UNAUTHENTICATED')).toBe(
      before.friendsRefused,
    );
  });
});

/** Makes `a` and `b` friends through friends' REST API, as two users would. */
async function befriend(a: TestUser, b: TestUser): Promise<void> {
  const call = (user: TestUser, path: string, body?: unknown) =>
    fetch(`${stack.friends.http}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.accessToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  // friends learns of new users from auth's events: retry until it knows `b`.
  const request = await eventually(async () => {
    const response = await call(a, '/v1/friends/requests', { userId: b.userId });
    if (response.status !== 201) throw new Error(`friend request: ${response.status}`);
    return (await response.json()) as { id: string };
  });
  const accepted = await call(b, `/v1/friends/requests/${request.id}/accept`);
  expect(accepted.status).toBe(200);
}

/** `user(id)` over profile's GraphQL API, as `viewer`. */
async function userProfile(
  viewer: TestUser,
  id: string,
): Promise<{ id: string; nickname: string } | undefined> {
  const { data } = await profileClient().execute(UserDocument, {
    token: viewer.accessToken,
    variables: { id },
  });
  return data?.user ?? undefined;
}
