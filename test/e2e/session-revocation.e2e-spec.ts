/**
 * A session that ends is refused by every service within 2 s, not when its access token
 * expires (ARCHITECTURE.md, "Sessions and accounts"): after Logout, after a refresh token
 * is reused, and after its user ends it from another device. Each test first proves the
 * token is accepted everywhere, so it fails on a stack where ending a session only revokes
 * refresh tokens.
 */
import { ErrorCodes, Topics } from '@app/contracts';
import * as grpc from '@grpc/grpc-js';
import { decodeJwt } from 'jose';
import type { MessengerClient } from '@app/messenger-client';
import { connectClient, MAIN_MESSENGER } from '../../apps/messenger/test/support/messenger-clients';
import {
  acceptedEverywhere,
  type AccountsGrpcClient,
  accountsClient,
  bearer,
  EventRecorder,
  refusedEverywhereWithin,
  registerSessionUser,
} from './support/accounts';
import { authClient, type AuthGrpcClient } from './support/clients';
import { E2E_INTERNAL_API_TOKEN, stack } from './support/stack';

/** The gateway's check of a Bearer token before a request reaches a service (auth_request). */
async function edgeAuthentication(token: string): Promise<number> {
  const response = await fetch(`${stack.auth.http}/internal/v1/authenticate`, {
    headers: { authorization: `Bearer ${token}`, 'x-internal-token': E2E_INTERNAL_API_TOKEN },
  });
  return response.status;
}

/** What a messenger client hears when its session ends, and when its socket is closed. */
function watchExpiry(client: MessengerClient) {
  const notices: Array<{ code: string; message: string }> = [];
  client.on('auth:expired', (notice) => notices.push(notice));
  const closed = new Promise<{ reason: string; at: number }>((resolve) =>
    client.socket.once('disconnect', (reason) => resolve({ reason, at: Date.now() })),
  );
  return { notices, closed };
}

async function grpcFailure(call: Promise<unknown>): Promise<grpc.ServiceError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as grpc.ServiceError,
  );
  if (!error) throw new Error('expected the call to fail');
  return error;
}

describe('ended sessions are refused everywhere within 2 s', () => {
  let auth: AccountsGrpcClient;
  let internal: AuthGrpcClient;
  let events: EventRecorder;
  const sockets: MessengerClient[] = [];

  beforeAll(async () => {
    auth = accountsClient();
    internal = authClient();
    events = await EventRecorder.start([Topics.SessionRevoked]);
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    auth?.close();
    internal?.close();
    await events?.stop();
  });

  it('after Logout: profile, friends and the messenger handshake refuse the access token, and an open socket gets auth:expired', async () => {
    const user = await registerSessionUser(auth, 'logout');
    await acceptedEverywhere(user.accessToken, user.userId);
    expect(await edgeAuthentication(user.accessToken)).toBe(204);
    const socket = await connectClient(MAIN_MESSENGER, user.accessToken);
    sockets.push(socket);
    const expiry = watchExpiry(socket);

    const loggedOutAt = Date.now();
    await auth.logout({ refreshToken: user.refreshToken });

    await refusedEverywhereWithin(user.accessToken, user.userId);
    const { reason, at } = await expiry.closed;
    expect(reason).toBe('io server disconnect');
    expect(at - loggedOutAt).toBeLessThan(2_000);
    expect(expiry.notices).toEqual([
      { code: ErrorCodes.UNAUTHENTICATED, message: expect.stringContaining('session ended') },
    ]);
    // auth itself refuses it too: at the gateway's edge, for its internal callers and in its
    // own Bearer methods.
    expect(await edgeAuthentication(user.accessToken)).toBe(401);
    const validated = await grpcFailure(internal.validateToken({ accessToken: user.accessToken }));
    expect(validated.code).toBe(grpc.status.UNAUTHENTICATED);
    const listed = await grpcFailure(auth.listSessions({}, bearer(user.accessToken)));
    expect(listed.code).toBe(grpc.status.UNAUTHENTICATED);

    const event = await events.find(Topics.SessionRevoked, (p) => p.userId === user.userId);
    expect(event.key).toBe(user.userId);
    expect(event.envelope.payload).toEqual({
      userId: user.userId,
      sessionId: decodeJwt(user.accessToken).sid,
      reason: 'logout',
    });
  });

  it('after a refresh token is reused: the session, tokens refreshed from it included, is refused everywhere', async () => {
    const user = await registerSessionUser(auth, 'reuse');
    const rotated = await auth.refresh({ refreshToken: user.refreshToken });
    // One session across refreshes: the same sid, a fresh token.
    expect(decodeJwt(rotated.accessToken).sid).toBe(decodeJwt(user.accessToken).sid);
    await acceptedEverywhere(rotated.accessToken, user.userId);
    const socket = await connectClient(MAIN_MESSENGER, rotated.accessToken);
    sockets.push(socket);
    const expiry = watchExpiry(socket);

    // Someone replays the first refresh token (stolen): the session ends for thief and victim.
    const replay = await grpcFailure(auth.refresh({ refreshToken: user.refreshToken }));
    expect(replay.code).toBe(grpc.status.UNAUTHENTICATED);

    await refusedEverywhereWithin(rotated.accessToken, user.userId);
    await refusedEverywhereWithin(user.accessToken, user.userId, 500);
    await expect(expiry.closed).resolves.toMatchObject({ reason: 'io server disconnect' });
    const next = await grpcFailure(auth.refresh({ refreshToken: rotated.refreshToken }));
    expect(next.code).toBe(grpc.status.UNAUTHENTICATED);
    const event = await events.find(Topics.SessionRevoked, (p) => p.userId === user.userId);
    expect(event.envelope.payload.reason).toBe('refresh_token_reuse');
  });

  it('after its user ends it from another device (RevokeSession): refused everywhere, the device keeps its own', async () => {
    const user = await registerSessionUser(auth, 'revoke');
    const laptop = await auth.login({ email: user.email, password: user.password });
    await acceptedEverywhere(laptop.accessToken, user.userId);

    // From the phone (the registration's session), end the laptop's.
    await auth.revokeSession(
      { sessionId: decodeJwt(laptop.accessToken).sid as string },
      bearer(user.accessToken),
    );

    await refusedEverywhereWithin(laptop.accessToken, user.userId);
    await acceptedEverywhere(user.accessToken, user.userId);
    const event = await events.find(
      Topics.SessionRevoked,
      (p) => p.userId === user.userId && p.reason === 'revoked',
    );
    expect(event.envelope.payload.sessionId).toBe(decodeJwt(laptop.accessToken).sid);
  });
});
