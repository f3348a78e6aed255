import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { stack } from '../../../../test/e2e/support/stack';

/**
 * OAuth2 logins against the real authorization server the e2e stack configured auth with
 * (oauth2-mock-server in its own process, `oauth-provider.mjs`). The test is the browser:
 * it follows the redirects by hand and keeps its own cookie.
 */
export interface OAuthProvider {
  stop(): void;
}

/** Starts the provider on the stack's OAuth port; resolves once it listens. */
export async function startOAuthProvider(): Promise<OAuthProvider> {
  const port = new URL(stack.oauthProvider.http).port;
  const child: ChildProcess = spawn(
    process.execPath,
    [join(__dirname, 'oauth-provider.mjs'), port],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`OAuth provider exited with ${code}`)));
  });
  return { stop: () => void child.kill() };
}

/** The token pair of an OAuth login, as auth's callback answers it. */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  userId: string;
}

/**
 * A whole OAuth login of `subject` (its email is `<subject>@oauth.example.test`): auth's
 * redirect, the provider's consent, auth's callback. Each call is a new login, so a new
 * session.
 */
export async function oauthLogin(subject: string): Promise<OAuthTokens> {
  let cookie: string | undefined;
  const visit = async (url: string): Promise<Response> => {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
    });
    const binding = /auth_oauth_browser=([^;]*)/.exec(response.headers.get('set-cookie') ?? '');
    if (binding) cookie = `auth_oauth_browser=${binding[1]}`;
    return response;
  };
  const start = await visit(`${stack.auth.http}/v1/auth/oauth/mock`);
  if (start.status !== 302) throw new Error(`OAuth start answered ${start.status}`);
  const authorize = new URL(start.headers.get('location')!);
  authorize.searchParams.set('login_hint', subject);
  const back = await visit(authorize.href);
  if (back.status !== 302) throw new Error(`provider answered ${back.status}`);
  const callback = await visit(back.headers.get('location')!);
  if (callback.status !== 200) throw new Error(`OAuth callback answered ${callback.status}`);
  return (await callback.json()) as OAuthTokens;
}
