import { ErrorCodes } from '@app/contracts';
import { E2E_INTERNAL_API_TOKEN, stack } from '../../../test/e2e/support/stack';
import { newUser } from './helpers';

interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

async function post<T = Record<string, unknown>>(
  route: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const response = await fetch(`${stack.auth.http}/v1/auth/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  userId: string;
}

const internal = { 'x-internal-token': E2E_INTERNAL_API_TOKEN };

describe('auth HTTP/JSON gateway', () => {
  it('registers, logs in, validates, refreshes and logs out in camelCase JSON', async () => {
    const user = newUser('http');

    const registered = await post<Tokens>('register', user);
    expect(registered.status).toBe(200);
    expect(registered.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      expiresIn: 900,
      userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });

    const loggedIn = await post<Tokens>('login', { email: user.email, password: user.password });
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.body.userId).toBe(registered.body.userId);

    const validated = await post('validate', { accessToken: loggedIn.body.accessToken }, internal);
    expect(validated.status).toBe(200);
    expect(validated.body).toMatchObject({ userId: registered.body.userId, email: user.email });
    expect(validated.body.expiresAt).toEqual(expect.any(Number));

    const refreshed = await post<Tokens>('refresh', { refreshToken: loggedIn.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(loggedIn.body.refreshToken);

    const loggedOut = await post('logout', { refreshToken: refreshed.body.refreshToken });
    expect(loggedOut).toMatchObject({ status: 200, body: {} });
    const afterLogout = await post('refresh', { refreshToken: refreshed.body.refreshToken });
    expect(afterLogout.status).toBe(401);
  });

  it('answers errors as {statusCode, code, message} with the status of the gRPC code', async () => {
    const user = newUser('httperr');
    await post('register', user);

    const taken = await post('register', { ...newUser('httperr'), email: user.email });
    expect(taken).toMatchObject({
      status: 409,
      body: { statusCode: 409, code: ErrorCodes.AUTH_EMAIL_TAKEN, message: expect.any(String) },
    });

    const wrong = await post('login', { email: user.email, password: 'wrong-password' });
    const unknown = await post('login', { email: `x-${user.email}`, password: 'wrong-password' });
    for (const answer of [wrong, unknown]) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({
        statusCode: 401,
        code: ErrorCodes.AUTH_INVALID_CREDENTIALS,
        message: 'Invalid email or password',
      });
    }

    const invalid = await post('register', { email: 'nope', password: 'short', nickname: 'a b' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ statusCode: 400, code: ErrorCodes.VALIDATION_FAILED });
    const fields = (invalid.body.details as Array<{ field: string }>).map((d) => d.field).sort();
    expect(fields).toEqual(['email', 'nickname', 'password']);

    const badRefresh = await post('refresh', { refreshToken: 'a'.repeat(43) });
    expect(badRefresh.body).toMatchObject({ statusCode: 401, code: ErrorCodes.AUTH_INVALID_TOKEN });
  });

  it('refuses a megabyte password before hashing it: 413 for the body, 400 under the limit', async () => {
    const huge = await post('login', { email: 'a@example.test', password: 'x'.repeat(1_000_000) });
    expect(huge.status).toBe(413);
    const long = await post('login', { email: 'a@example.test', password: 'x'.repeat(129) });
    expect(long).toMatchObject({ status: 400, body: { code: ErrorCodes.VALIDATION_FAILED } });
  });

  it('answers malformed JSON 400, not 500', async () => {
    const answer = await post('login', '{"email":');
    expect(answer.status).toBe(400);
  });

  it('keeps validate for internal callers: 401 without their token, even for a good access token', async () => {
    const { body } = await post<Tokens>('register', newUser('httpint'));
    const outsider = await post('validate', { accessToken: body.accessToken });
    expect(outsider).toMatchObject({
      status: 401,
      body: { statusCode: 401, code: ErrorCodes.UNAUTHENTICATED },
    });
    const forged = await post(
      'validate',
      { accessToken: body.accessToken },
      { 'x-internal-token': 'guess' },
    );
    expect(forged.status).toBe(401);
  });

  it('serves the OpenAPI document with every route and its error responses, and Swagger UI', async () => {
    const response = await fetch(`${stack.auth.http}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
    };
    const expected: Record<string, string[]> = {
      '/v1/auth/register': ['200', '400', '409', '429', '500', '503'],
      '/v1/auth/login': ['200', '400', '401', '429', '500'],
      '/v1/auth/refresh': ['200', '400', '401', '500'],
      '/v1/auth/logout': ['200', '400', '500'],
      '/v1/auth/validate': ['200', '400', '401', '500'],
    };
    for (const [path, statuses] of Object.entries(expected)) {
      expect(Object.keys(document.paths[path]?.post?.responses ?? {}).sort()).toEqual(
        statuses.sort(),
      );
    }

    const ui = await fetch(`${stack.auth.http}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
  });
});
