/**
 * Roles and suspension: `npm run admin:grant` / `admin:revoke` (the script itself, against
 * the e2e database), SuspendAccount / ReinstateAccount over HTTP and gRPC for the admin role
 * only, what a suspension does to the account (no login, no refresh, every session refused
 * everywhere) and the audit log and events every change leaves.
 */
import { ErrorCodes, Topics } from '@app/contracts';
import * as grpc from '@grpc/grpc-js';
import { decodeJwt } from 'jose';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from 'pg';
import {
  acceptedEverywhere,
  type AccountsGrpcClient,
  accountsClient,
  authHttp,
  bearer,
  EventRecorder,
  refusedEverywhereWithin,
  registerSessionUser,
  type SessionUser,
} from '../../../test/e2e/support/accounts';
import { serviceEnv } from '../../../test/e2e/support/stack';
import { authDatabase, errorCode, failure } from './helpers';

const ROOT = join(__dirname, '..', '..', '..');

/** Runs `npm run admin:<command> -- <email>` as an operator would, on the e2e database. */
async function adminScript(command: 'grant' | 'revoke', email: string) {
  return promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts', 'admin-role.ts'), command, email],
    { env: { ...process.env, AUTH_DATABASE_URL: serviceEnv('auth').DATABASE_URL } },
  );
}

describe('roles and suspension', () => {
  let auth: AccountsGrpcClient;
  let db: Client;
  let events: EventRecorder;
  let admin: SessionUser;
  /** The admin's access token after the grant (a login: the role is in tokens from then on). */
  let adminToken: string;

  const suspend = (token: string, userId: string, reason = 'spam reported by users') =>
    authHttp('POST', `/v1/auth/admin/accounts/${userId}/suspend`, { token, body: { reason } });
  const auditOf = async (userId: string) =>
    (
      await db.query(
        `SELECT action, actor_type, actor_id, details FROM account_audit_log
          WHERE target_user_id = $1 ORDER BY id`,
        [userId],
      )
    ).rows;

  beforeAll(async () => {
    auth = accountsClient();
    db = await authDatabase();
    events = await EventRecorder.start([
      Topics.AccountSuspended,
      Topics.AccountReinstated,
      Topics.SessionRevoked,
    ]);
    admin = await registerSessionUser(auth, 'admin');
    // Mixed case: the script finds the account as login does.
    const { stdout } = await adminScript('grant', admin.email.toUpperCase());
    expect(stdout).toContain(`granted the admin role to ${admin.email}`);
    adminToken = (await auth.login({ email: admin.email, password: admin.password })).accessToken;
  });

  afterAll(async () => {
    auth?.close();
    await db?.end();
    await events?.stop();
  });

  it('admin:grant gives the role, recorded with the operator, and tokens carry it from the next login', async () => {
    expect(decodeJwt(admin.accessToken).roles).toEqual(['user']);
    expect(decodeJwt(adminToken).roles).toEqual(['user', 'admin']);
    expect(await auditOf(admin.userId)).toEqual([
      {
        action: 'role_granted',
        actor_type: 'cli',
        actor_id: userInfo().username,
        details: { role: 'admin' },
      },
    ]);
    // A second grant changes and records nothing; an unknown email is an error.
    await expect(adminScript('grant', admin.email)).resolves.toMatchObject({
      stdout: expect.stringContaining('already has the admin role'),
    });
    await expect(adminScript('grant', `nobody-${randomUUID()}@example.test`)).rejects.toThrow(
      /no account is registered/,
    );
    expect(await auditOf(admin.userId)).toHaveLength(1);
  });

  it('refuses SuspendAccount and ReinstateAccount to callers without the admin role (403 / PERMISSION_DENIED)', async () => {
    const [user, target] = await Promise.all([
      registerSessionUser(auth, 'plain'),
      registerSessionUser(auth, 'target'),
    ]);

    // A plain user, and the admin's own token from before the grant.
    for (const token of [user.accessToken, admin.accessToken]) {
      const refused = await suspend(token, target.userId);
      expect(refused).toEqual({
        status: 403,
        body: expect.objectContaining({ code: ErrorCodes.FORBIDDEN }),
      });
      const reinstate = await authHttp(
        'POST',
        `/v1/auth/admin/accounts/${target.userId}/reinstate`,
        { token },
      );
      expect(reinstate.status).toBe(403);
    }
    const overGrpc = await failure(
      auth.suspendAccount({ userId: target.userId, reason: 'x' }, bearer(user.accessToken)),
    );
    expect(overGrpc.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(errorCode(overGrpc)).toBe(ErrorCodes.FORBIDDEN);
    const anonymous = await suspend('', target.userId);
    expect(anonymous.status).toBe(401);

    // Nothing happened to the target.
    await expect(
      auth.login({ email: target.email, password: target.password }),
    ).resolves.toBeDefined();
    expect(await auditOf(target.userId)).toEqual([]);
  });

  it('suspends: sessions refused everywhere, login and refresh refused with AUTH.ACCOUNT_SUSPENDED; reinstating lets it log in again', async () => {
    const target = await registerSessionUser(auth, 'suspended');
    await acceptedEverywhere(target.accessToken, target.userId);

    const suspended = await suspend(adminToken, target.userId, 'spam reported by users');
    expect(suspended).toEqual({ status: 200, body: {} });

    await refusedEverywhereWithin(target.accessToken, target.userId);
    const login = await authHttp('POST', '/v1/auth/login', {
      body: { email: target.email, password: target.password },
    });
    expect(login).toEqual({
      status: 401,
      body: expect.objectContaining({ code: ErrorCodes.AUTH_ACCOUNT_SUSPENDED }),
    });
    // A wrong password still says only that: suspension is told to the account's owner alone.
    const guess = await authHttp('POST', '/v1/auth/login', {
      body: { email: target.email, password: 'not-the-password' },
    });
    expect(guess.body.code).toBe(ErrorCodes.AUTH_INVALID_CREDENTIALS);
    const refresh = await failure(auth.refresh({ refreshToken: target.refreshToken }));
    expect(refresh.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(errorCode(refresh)).toBe(ErrorCodes.AUTH_ACCOUNT_SUSPENDED);

    await auth.reinstateAccount({ userId: target.userId }, bearer(adminToken));
    const again = await auth.login({ email: target.email, password: target.password });
    await acceptedEverywhere(again.accessToken, target.userId);
    // The sessions the suspension ended stay ended.
    const old = await failure(auth.refresh({ refreshToken: target.refreshToken }));
    expect(old.code).toBe(grpc.status.UNAUTHENTICATED);

    expect(await auditOf(target.userId)).toEqual([
      {
        action: 'account_suspended',
        actor_type: 'admin',
        actor_id: admin.userId,
        details: { reason: 'spam reported by users' },
      },
      { action: 'account_reinstated', actor_type: 'admin', actor_id: admin.userId, details: {} },
    ]);
    const [suspendedEvent, reinstatedEvent, revoked] = await Promise.all([
      events.find(Topics.AccountSuspended, (p) => p.userId === target.userId),
      events.find(Topics.AccountReinstated, (p) => p.userId === target.userId),
      events.find(Topics.SessionRevoked, (p) => p.userId === target.userId),
    ]);
    expect(suspendedEvent.envelope.payload).toEqual({
      userId: target.userId,
      reason: 'spam reported by users',
      actorId: admin.userId,
    });
    expect(reinstatedEvent.envelope.payload).toEqual({
      userId: target.userId,
      actorId: admin.userId,
    });
    expect(revoked.envelope.payload).toMatchObject({
      sessionId: decodeJwt(target.accessToken).sid,
      reason: 'account_suspended',
    });
  });

  it('answers 404 for an account that does not exist, and 400 for a bad id or reason', async () => {
    const unknown = await suspend(adminToken, randomUUID());
    expect(unknown).toEqual({
      status: 404,
      body: expect.objectContaining({ code: ErrorCodes.AUTH_ACCOUNT_NOT_FOUND }),
    });
    expect((await suspend(adminToken, 'not-a-uuid')).status).toBe(400);
    expect((await suspend(adminToken, randomUUID(), '')).status).toBe(400);
  });

  it('admin:revoke takes the role away: admin calls are refused at once, even with a token that still says admin', async () => {
    const other = await registerSessionUser(auth, 'other');
    const second = await registerSessionUser(auth, 'second');
    await adminScript('grant', second.email);
    const secondToken = (await auth.login({ email: second.email, password: second.password }))
      .accessToken;
    expect((await suspend(secondToken, other.userId)).status).toBe(200);

    const { stdout } = await adminScript('revoke', second.email);
    expect(stdout).toContain(`revoked the admin role of ${second.email}`);

    expect(decodeJwt(secondToken).roles).toContain('admin');
    const refused = await authHttp('POST', `/v1/auth/admin/accounts/${other.userId}/reinstate`, {
      token: secondToken,
    });
    expect(refused.status).toBe(403);
    expect((await auditOf(second.userId)).map((row) => row.action)).toEqual([
      'role_granted',
      'role_revoked',
    ]);
  });
});
