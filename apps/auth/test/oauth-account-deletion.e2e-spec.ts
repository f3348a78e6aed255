/**
 * Deleting an account made through OAuth, which has no password (ARCHITECTURE.md, "Sessions
 * and accounts"; ADR 0022): it confirms with a fresh login instead — the calling session
 * must have started within the last 5 minutes. A session older than that is refused with
 * `AUTH.RECENT_LOGIN_REQUIRED` and nothing is deleted; after a new OAuth login the
 * deletion goes through and the account, its OAuth link, its sessions and its profile are
 * gone, its nickname free, and the same provider identity makes a new account.
 */
import { ErrorCodes } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { eventually } from '../../../test/e2e/support/clients';
import { stack } from '../../../test/e2e/support/stack';
import { authDatabase, newUser } from './helpers';
import { oauthLogin, type OAuthProvider, startOAuthProvider } from './support/oauth-login';

/** `DELETE /v1/auth/account` with a Bearer token and a JSON body. */
async function deleteAccount(accessToken: string, body: Record<string, string> = {}) {
  const response = await fetch(`${stack.auth.http}/v1/auth/account`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A GraphQL query to profile as the holder of `accessToken`. */
async function profileQuery<T>(accessToken: string, query: string, variables = {}): Promise<T> {
  const response = await fetch(`${stack.profile.http}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ query, variables }),
  });
  return ((await response.json()) as { data: T }).data;
}

/** The session id (`sid`) an access token carries. */
function sessionOf(accessToken: string): string {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as {
    sid: string;
  };
  return payload.sid;
}

async function register(user: ReturnType<typeof newUser>) {
  const response = await fetch(`${stack.auth.http}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('deleting an OAuth-only account', () => {
  let provider: OAuthProvider;
  let db: Client;

  beforeAll(async () => {
    provider = await startOAuthProvider();
    db = await authDatabase();
  });

  afterAll(async () => {
    provider?.stop();
    await db?.end();
  });

  const rowsOf = async (userId: string) => ({
    credentials: (await db.query('SELECT 1 FROM credentials WHERE user_id = $1', [userId]))
      .rowCount,
    identities: (await db.query('SELECT 1 FROM oauth_identities WHERE user_id = $1', [userId]))
      .rowCount,
    sessions: (
      await db.query(
        'SELECT 1 FROM refresh_token_families WHERE user_id = $1 AND revoked_at IS NULL',
        [userId],
      )
    ).rowCount,
  });

  it('refuses an old session, then deletes everything after a fresh login', async () => {
    const subject = `deleted-${randomUUID().slice(0, 8)}`;
    const first = await oauthLogin(subject);
    const { me } = await eventually(async () => {
      const data = await profileQuery<{ me: { id: string; nickname: string } | null }>(
        first.accessToken,
        '{ me { id nickname } }',
      );
      return data?.me ? (data as { me: { id: string; nickname: string } }) : undefined;
    });
    expect(me.id).toBe(first.userId);

    // The login is six minutes old: too old to stand for the password this account lacks.
    await db.query(
      `UPDATE refresh_token_families SET created_at = now() - interval '6 minutes' WHERE id = $1`,
      [sessionOf(first.accessToken)],
    );
    const attempts: Array<Record<string, string>> = [
      {},
      { password: 'a guess at a password it never had' },
    ];
    for (const body of attempts) {
      const stale = await deleteAccount(first.accessToken, body);
      expect(stale).toMatchObject({
        status: 401,
        body: { code: ErrorCodes.AUTH_RECENT_LOGIN_REQUIRED },
      });
    }
    expect(await rowsOf(first.userId)).toEqual({ credentials: 1, identities: 1, sessions: 1 });

    // A fresh login of the same identity (the same account) confirms the deletion.
    const fresh = await oauthLogin(subject);
    expect(fresh.userId).toBe(first.userId);
    expect(await deleteAccount(fresh.accessToken)).toEqual({ status: 200, body: {} });

    expect(await rowsOf(first.userId)).toEqual({ credentials: 0, identities: 0, sessions: 0 });
    // The session ended with the account: profile refuses its access token.
    const refused = await fetch(`${stack.profile.http}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${fresh.accessToken}`,
      },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    const answer = (await refused.json()) as {
      data?: unknown;
      errors?: Array<{ extensions?: { code?: string } }>;
    };
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // The nickname is free at once, and the profile is gone.
    const heir = await register({ ...newUser('heir'), nickname: me.nickname });
    expect(heir.status).toBe(200);
    const heirToken = heir.body.accessToken as string;
    await eventually(async () => {
      const data = await profileQuery<{ user: unknown }>(
        heirToken,
        'query ($id: ID!) { user(id: $id) { id } }',
        { id: first.userId },
      );
      return data && data.user === null ? true : undefined;
    });

    // The provider identity is no longer linked: logging in with it makes a new account.
    const again = await oauthLogin(subject);
    expect(again.userId).not.toBe(first.userId);
  });
});
