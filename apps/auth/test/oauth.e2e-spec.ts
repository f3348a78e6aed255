import { ErrorCodes } from '@app/contracts';
import { MeDocument } from '@app/profile-client';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import {
  type AuthGrpcClient,
  authClient,
  eventually,
  profileClient,
} from '../../../test/e2e/support/clients';
import { stack } from '../../../test/e2e/support/stack';
import { newUser } from './helpers';

/**
 * OAuth2 login against a real authorization server on loopback (oauth2-mock-server in its
 * own process, at the URLs the e2e stack configured auth with). The test is the browser:
 * it follows the redirects by hand and keeps its own cookie.
 */
const AUTH = stack.auth.http;

interface Browser {
  cookie?: string;
}

/** GET without following redirects, sending and keeping the browser's cookie. */
async function visit(browser: Browser, url: string): Promise<Response> {
  const response = await fetch(url, {
    redirect: 'manual',
    headers: browser.cookie ? { cookie: browser.cookie } : {},
  });
  const setCookie = response.headers.get('set-cookie');
  const binding = setCookie && /auth_oauth_browser=([^;]*)/.exec(setCookie)?.[1];
  if (binding) browser.cookie = `auth_oauth_browser=${binding}`;
  return response;
}

/** Steps 1–2: auth redirects to the provider, which "logs in" `subject` and redirects back. */
async function authorize(browser: Browser, subject: string): Promise<URL> {
  const start = await visit(browser, `${AUTH}/v1/auth/oauth/mock`);
  expect(start.status).toBe(302);
  const authorizeUrl = new URL(start.headers.get('location')!);
  authorizeUrl.searchParams.set('login_hint', subject);
  const back = await visit(browser, authorizeUrl.href);
  expect(back.status).toBe(302);
  return new URL(back.headers.get('location')!);
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

/** A GET with a JSON body (which fetch refuses to send), as a crafted client can. */
function getWithBody(
  url: string,
  browser: Browser,
  body: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'GET',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...(browser.cookie ? { cookie: browser.cookie } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null });
        });
      },
    );
    request.once('error', reject);
    request.end(payload);
  });
}

describe('auth OAuth2 login (authorization code + PKCE)', () => {
  let provider: ChildProcess;
  let auth: AuthGrpcClient;

  beforeAll(async () => {
    auth = authClient();
    const port = new URL(stack.oauthProvider.http).port;
    provider = spawn(process.execPath, [join(__dirname, 'support', 'oauth-provider.mjs'), port], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      provider.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      provider.once('exit', (code) => reject(new Error(`OAuth provider exited with ${code}`)));
    });
  });

  afterAll(() => {
    auth.close();
    provider?.kill();
  });

  it('redirects to the provider with state, an S256 PKCE challenge and the exact redirect URI', async () => {
    const browser: Browser = {};
    const start = await visit(browser, `${AUTH}/v1/auth/oauth/mock`);

    expect(start.status).toBe(302);
    const location = new URL(start.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(`${stack.oauthProvider.http}/authorize`);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'messenger-e2e',
      redirect_uri: `${AUTH}/v1/auth/oauth/mock/callback`,
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      state: expect.stringMatching(/^[\w-]{43}$/),
      scope: 'openid email profile',
    });
    expect(start.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect(start.headers.get('set-cookie')).toMatch(/SameSite=Lax/i);
  });

  it('creates an account with a profile on first login, and finds it again on the next', async () => {
    const subject = `oauth-${randomUUID().slice(0, 8)}`;
    const browser: Browser = {};

    const callback = await visit(browser, (await authorize(browser, subject)).href);
    expect(callback.status).toBe(200);
    const tokens = await json(callback);
    expect(tokens).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      expiresIn: 900,
      userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    await expect(
      auth.validateToken({ accessToken: tokens.accessToken as string }),
    ).resolves.toMatchObject({ userId: tokens.userId, email: `${subject}@oauth.example.test` });

    // Its profile exists (created from auth.user.registered.v1 with a generated nickname).
    const me = await eventually(async () => {
      const { data } = await profileClient().execute(MeDocument, {
        token: tokens.accessToken as string,
      });
      return data?.me ?? undefined;
    });
    expect(me.id).toBe(tokens.userId);
    expect(me.nickname).toMatch(/^oauth_[0-9a-f]{8}_[0-9a-f]{6}$/);

    const again = await visit(browser, (await authorize(browser, subject)).href);
    expect(again.status).toBe(200);
    expect((await json(again)).userId).toBe(tokens.userId);
  });

  it('links a provider identity to the password account with the same verified email', async () => {
    const subject = `linked-${randomUUID().slice(0, 8)}`;
    const registered = await auth.register({
      ...newUser('linked'),
      email: `${subject}@oauth.example.test`,
    });
    const browser: Browser = {};

    const callback = await visit(browser, (await authorize(browser, subject)).href);

    expect(callback.status).toBe(200);
    expect((await json(callback)).userId).toBe(registered.userId);
  });

  it('refuses to link an unverified email to an existing account', async () => {
    const subject = `takeover-${randomUUID().slice(0, 8)}-unverified`;
    await auth.register({ ...newUser('victim'), email: `${subject}@oauth.example.test` });
    const browser: Browser = {};

    const callback = await visit(browser, (await authorize(browser, subject)).href);

    expect(callback.status).toBe(409);
    expect(await json(callback)).toMatchObject({ code: ErrorCodes.AUTH_EMAIL_TAKEN });
  });

  it('gives no session for a callback without state', async () => {
    const browser: Browser = {};
    const callbackUrl = await authorize(browser, `nostate-${randomUUID().slice(0, 8)}`);
    callbackUrl.searchParams.delete('state');

    const callback = await visit(browser, callbackUrl.href);

    expect(callback.status).toBe(401);
    const body = await json(callback);
    expect(body).toMatchObject({ statusCode: 401, code: ErrorCodes.UNAUTHENTICATED });
    expect(body).not.toHaveProperty('accessToken');
  });

  it('gives no session for a state that another browser started', async () => {
    const victim: Browser = {};
    const attacker: Browser = {};
    await visit(attacker, `${AUTH}/v1/auth/oauth/mock`); // the attacker has a binding of its own
    // The attacker lures the victim's browser into the attacker's callback (login CSRF),
    // or replays a victim's callback URL in its own browser: either way, the cookie differs.
    const victimsCallback = await authorize(victim, `csrf-${randomUUID().slice(0, 8)}`);

    const callback = await visit(attacker, victimsCallback.href);

    expect(callback.status).toBe(401);
    expect(await json(callback)).not.toHaveProperty('accessToken');
  });

  it('uses a state once: the same callback replayed gets no session', async () => {
    const browser: Browser = {};
    const callbackUrl = await authorize(browser, `replay-${randomUUID().slice(0, 8)}`);
    expect((await visit(browser, callbackUrl.href)).status).toBe(200);

    const replay = await visit(browser, callbackUrl.href);

    expect(replay.status).toBe(401);
    expect(await json(replay)).not.toHaveProperty('accessToken');
  });

  it('gives no session for a code the provider did not issue', async () => {
    const browser: Browser = {};
    const callbackUrl = await authorize(browser, `wrongcode-${randomUUID().slice(0, 8)}`);
    callbackUrl.searchParams.set('code', randomUUID());

    const callback = await visit(browser, callbackUrl.href);

    expect(callback.status).toBe(401);
    expect(await json(callback)).toMatchObject({
      code: ErrorCodes.UNAUTHENTICATED,
      message: 'The provider did not confirm the login',
    });
  });

  describe('misused routes: a clear 400, and the pending login is not spent', () => {
    /** A login waiting at its callback; `finish` proves its state and code still work. */
    async function pendingLogin(prefix: string) {
      const browser: Browser = {};
      const callbackUrl = await authorize(browser, `${prefix}-${randomUUID().slice(0, 8)}`);
      return {
        browser,
        callbackUrl,
        finish: async () => {
          const callback = await visit(browser, callbackUrl.href);
          expect(callback.status).toBe(200);
          expect(await json(callback)).toHaveProperty('accessToken');
        },
      };
    }

    async function expectInvalid(response: Response): Promise<void> {
      expect(response.status).toBe(400);
      const body = await json(response);
      expect(body).toMatchObject({ statusCode: 400, code: ErrorCodes.VALIDATION_FAILED });
      expect(body).not.toHaveProperty('accessToken');
    }

    it("answers the start route given the callback's code and state with 400", async () => {
      const login = await pendingLogin('startcb');

      await expectInvalid(
        await visit(login.browser, `${AUTH}/v1/auth/oauth/mock${login.callbackUrl.search}`),
      );

      await login.finish();
    });

    it('answers the start route given a provider error or any other parameter with 400', async () => {
      const login = await pendingLogin('starterr');
      const state = login.callbackUrl.searchParams.get('state')!;

      for (const query of [
        `error=access_denied&state=${state}`,
        'error=server_error&error_description=boom',
        `state=${state}`,
        'code=',
        'next=%2Fchats',
      ]) {
        await expectInvalid(await visit(login.browser, `${AUTH}/v1/auth/oauth/mock?${query}`));
      }

      await login.finish();
    });

    it("answers the start route given the callback's code and state in a body with 400", async () => {
      const login = await pendingLogin('startbody');
      const { status, body } = await getWithBody(
        `${AUTH}/v1/auth/oauth/mock`,
        login.browser,
        Object.fromEntries(login.callbackUrl.searchParams),
      );

      expect(status).toBe(400);
      expect(body).toMatchObject({ code: ErrorCodes.VALIDATION_FAILED });
      await login.finish();
    });

    it('answers a callback with a duplicated code or state with 400', async () => {
      const login = await pendingLogin('dup');
      const code = login.callbackUrl.searchParams.get('code')!;
      const state = login.callbackUrl.searchParams.get('state')!;

      for (const query of [
        `code=${code}&code=${code}&state=${state}`,
        `code=${code}&state=${state}&state=${state}`,
      ]) {
        await expectInvalid(
          await visit(login.browser, `${AUTH}/v1/auth/oauth/mock/callback?${query}`),
        );
      }

      await login.finish();
    });

    it('answers a callback without its code, or carrying a provider error, with 401', async () => {
      const login = await pendingLogin('nocode');
      const state = login.callbackUrl.searchParams.get('state')!;
      const code = login.callbackUrl.searchParams.get('code')!;

      for (const query of [
        `state=${state}`,
        `error=access_denied&state=${state}`,
        `error=server_error&code=${code}&state=${state}`,
      ]) {
        const response = await visit(login.browser, `${AUTH}/v1/auth/oauth/mock/callback?${query}`);
        expect(response.status).toBe(401);
        expect(await json(response)).toMatchObject({ code: ErrorCodes.UNAUTHENTICATED });
      }

      await login.finish();
    });
  });

  it('answers 404 for a provider that is not configured', async () => {
    const response = await visit({}, `${AUTH}/v1/auth/oauth/nope`);
    expect(response.status).toBe(404);
  });
});
