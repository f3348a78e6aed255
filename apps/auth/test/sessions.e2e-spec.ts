/**
 * A user's sessions over gRPC and the HTTP gateway: the `sid` and `roles` claims, the
 * session list, ending one session, and "sign out everywhere" — each user seeing and
 * ending only their own. (That ended sessions are refused by every other service is
 * test/e2e/session-revocation.e2e-spec.ts.)
 */
import { ErrorCodes } from '@app/contracts';
import * as grpc from '@grpc/grpc-js';
import { decodeJwt } from 'jose';
import { randomUUID } from 'node:crypto';
import {
  type AccountsGrpcClient,
  accountsClient,
  authHttp,
  bearer,
  registerSessionUser,
  type SessionUser,
} from '../../../test/e2e/support/accounts';
import { errorCode, failure } from './helpers';

const sidOf = (accessToken: string) => decodeJwt(accessToken).sid as string;

describe('sessions (ListSessions, RevokeSession, RevokeAllSessions)', () => {
  let auth: AccountsGrpcClient;

  beforeAll(() => {
    auth = accountsClient();
  });

  afterAll(() => auth.close());

  /** Logs `user` in over HTTP with a User-Agent of its own: another device. */
  async function loginOverHttp(user: SessionUser, userAgent: string) {
    const { status, body } = await authHttp('POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password },
      headers: { 'user-agent': userAgent },
    });
    expect(status).toBe(200);
    return body as { accessToken: string; refreshToken: string };
  }

  it('gives every login a session of its own, kept across refreshes, and the roles of the account', async () => {
    const user = await registerSessionUser(auth, 'claims');
    const login = await auth.login({ email: user.email, password: user.password });
    const refreshed = await auth.refresh({ refreshToken: login.refreshToken });

    const first = decodeJwt(user.accessToken);
    expect(first.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.roles).toEqual(['user']);
    expect(sidOf(login.accessToken)).not.toBe(first.sid);
    expect(sidOf(refreshed.accessToken)).toBe(sidOf(login.accessToken));
  });

  it('lists the live sessions, marking the current one and showing where each began', async () => {
    const user = await registerSessionUser(auth, 'list');
    const laptop = await loginOverHttp(user, 'LaptopBrowser/1.0');

    const { sessions } = await auth.listSessions({}, bearer(user.accessToken));

    expect(sessions).toHaveLength(2);
    const current = sessions.find((s) => s.current);
    const other = sessions.find((s) => !s.current);
    expect(current?.sessionId).toBe(sidOf(user.accessToken));
    expect(current?.userAgent).toMatch(/grpc-node-js/);
    expect(other).toMatchObject({
      sessionId: sidOf(laptop.accessToken),
      userAgent: 'LaptopBrowser/1.0',
      ip: expect.any(String),
    });
    for (const session of sessions) {
      expect(Date.parse(session.createdAt)).not.toBeNaN();
      expect(Date.parse(session.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(session.createdAt));
    }

    // The same over HTTP; a logged-out session is no longer listed.
    await auth.logout({ refreshToken: user.refreshToken });
    const http = await authHttp('GET', '/v1/auth/sessions', { token: laptop.accessToken });
    expect(http.status).toBe(200);
    expect(http.body.sessions).toEqual([
      expect.objectContaining({ sessionId: sidOf(laptop.accessToken), current: true }),
    ]);
  });

  it('ends one session of its user: its refresh token stops working, the others do not', async () => {
    const user = await registerSessionUser(auth, 'one');
    const laptop = await loginOverHttp(user, 'Laptop/2');

    const response = await authHttp('DELETE', `/v1/auth/sessions/${sidOf(laptop.accessToken)}`, {
      token: user.accessToken,
    });

    expect(response).toEqual({ status: 200, body: {} });
    const refused = await failure(auth.refresh({ refreshToken: laptop.refreshToken }));
    expect(refused.code).toBe(grpc.status.UNAUTHENTICATED);
    await expect(auth.refresh({ refreshToken: user.refreshToken })).resolves.toBeDefined();
    // Ended already: nothing left to end.
    const again = await failure(
      auth.revokeSession({ sessionId: sidOf(laptop.accessToken) }, bearer(user.accessToken)),
    );
    expect(again.code).toBe(grpc.status.NOT_FOUND);
  });

  it("answers another user's session id like an unknown one (404), and leaves it alive", async () => {
    const [mallory, victim] = await Promise.all([
      registerSessionUser(auth, 'mallory'),
      registerSessionUser(auth, 'victim'),
    ]);
    const victimSession = sidOf(victim.accessToken);

    const http = await authHttp('DELETE', `/v1/auth/sessions/${victimSession}`, {
      token: mallory.accessToken,
    });
    const unknown = await authHttp('DELETE', `/v1/auth/sessions/${randomUUID()}`, {
      token: mallory.accessToken,
    });
    const grpcError = await failure(
      auth.revokeSession({ sessionId: victimSession }, bearer(mallory.accessToken)),
    );

    expect(http).toEqual({
      status: 404,
      body: expect.objectContaining({ code: ErrorCodes.AUTH_SESSION_NOT_FOUND }),
    });
    expect(unknown.body).toEqual(http.body);
    expect(grpcError.code).toBe(grpc.status.NOT_FOUND);
    expect(errorCode(grpcError)).toBe(ErrorCodes.AUTH_SESSION_NOT_FOUND);
    await expect(auth.refresh({ refreshToken: victim.refreshToken })).resolves.toBeDefined();
    // Nor does anyone see another user's sessions: the list is the caller's own.
    const { sessions } = await auth.listSessions({}, bearer(mallory.accessToken));
    expect(sessions.map((s) => s.sessionId)).toEqual([sidOf(mallory.accessToken)]);
  });

  it('signs out everywhere else, keeping the calling session; with includeCurrent, everywhere', async () => {
    const user = await registerSessionUser(auth, 'all');
    const [laptop, tablet] = await Promise.all([
      loginOverHttp(user, 'Laptop/3'),
      loginOverHttp(user, 'Tablet/3'),
    ]);

    const response = await authHttp('POST', '/v1/auth/sessions/revoke-all', {
      token: user.accessToken,
    });

    expect(response).toEqual({ status: 200, body: {} });
    for (const other of [laptop, tablet]) {
      const refused = await failure(auth.refresh({ refreshToken: other.refreshToken }));
      expect(refused.code).toBe(grpc.status.UNAUTHENTICATED);
    }
    const { sessions } = await auth.listSessions({}, bearer(user.accessToken));
    expect(sessions.map((s) => s.sessionId)).toEqual([sidOf(user.accessToken)]);

    await auth.revokeAllSessions({ includeCurrent: true }, bearer(user.accessToken));
    const own = await failure(auth.refresh({ refreshToken: user.refreshToken }));
    expect(own.code).toBe(grpc.status.UNAUTHENTICATED);
    const afterwards = await failure(auth.listSessions({}, bearer(user.accessToken)));
    expect(afterwards.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('refuses every session route without a valid Bearer token, and a malformed session id', async () => {
    const user = await registerSessionUser(auth, 'bearer');
    for (const token of [undefined, 'not.a.jwt', user.refreshToken]) {
      const list = await authHttp('GET', '/v1/auth/sessions', { token });
      expect(list).toEqual({
        status: 401,
        body: expect.objectContaining({ code: ErrorCodes.AUTH_INVALID_TOKEN }),
      });
    }
    const noMetadata = await failure(auth.listSessions({}));
    expect(noMetadata.code).toBe(grpc.status.UNAUTHENTICATED);

    const malformed = await authHttp('DELETE', '/v1/auth/sessions/not-a-uuid', {
      token: user.accessToken,
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe(ErrorCodes.VALIDATION_FAILED);
  });
});
