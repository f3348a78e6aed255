import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { SESSION_ENDED_NOTICE, Session } from './session';

/** sessionStorage as the Session uses it. */
class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
}

const tokens = (n: number, expiresIn = 120) => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  expiresIn,
  userId: '00000000-0000-4000-8000-000000000001',
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const refused = () =>
  json(401, { statusCode: 401, code: 'AUTH.INVALID_TOKEN', message: 'Invalid token' });

describe('Session', () => {
  let fetchMock: jest.Mock<(input: RequestInfo | URL, init?: RequestInit) => Promise<Response>>;
  let session: Session;
  let storage: MemoryStorage;

  const realFetch = globalThis.fetch;

  beforeEach(() => {
    jest.useFakeTimers();
    fetchMock = jest.fn();
    globalThis.fetch = fetchMock;
    storage = new MemoryStorage();
    session = new Session(storage as unknown as Storage);
  });

  afterEach(() => {
    jest.useRealTimers();
    globalThis.fetch = realFetch;
  });

  /** Auth routes the session called, in order. */
  const authCalls = () =>
    fetchMock.mock.calls
      .map(([input]) =>
        typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      )
      .filter((url) => url.startsWith('/v1/auth/'));

  it('refreshes a minute before the access token expires, once for concurrent callers', async () => {
    fetchMock.mockResolvedValueOnce(json(200, tokens(1, 120)));
    await session.signIn('ada@example.com', 'correct-horse-battery');
    expect(session.getState()).toEqual({ status: 'signed-in', userId: tokens(1).userId });

    let release!: (response: Response) => void;
    fetchMock.mockReturnValueOnce(new Promise((resolve) => (release = resolve)));
    await jest.advanceTimersByTimeAsync(59_000);
    expect(authCalls()).toEqual(['/v1/auth/login']);
    await jest.advanceTimersByTimeAsync(1_000);
    const concurrent = [session.refresh(), session.refresh()];
    release(json(200, tokens(2)));
    expect(await Promise.all(concurrent)).toEqual(['access-2', 'access-2']);
    expect(authCalls()).toEqual(['/v1/auth/login', '/v1/auth/refresh']);
    expect(await session.accessToken()).toBe('access-2');
    expect(storage.getItem('messenger.session')).toContain('refresh-2');
  });

  it('ends the session when the server refuses the refresh token', async () => {
    fetchMock.mockResolvedValueOnce(json(200, tokens(1)));
    await session.signIn('ada@example.com', 'correct-horse-battery');
    fetchMock.mockResolvedValueOnce(refused());
    await expect(session.refresh()).rejects.toMatchObject({ status: 401 });
    expect(session.getState()).toEqual({ status: 'signed-out', notice: SESSION_ENDED_NOTICE });
    expect(storage.getItem('messenger.session')).toBeNull();
  });

  it('retries a 401 once with a fresh token and ends the session on a second', async () => {
    fetchMock.mockResolvedValueOnce(json(200, tokens(1)));
    await session.signIn('ada@example.com', 'correct-horse-battery');
    fetchMock
      .mockResolvedValueOnce(json(401, {})) // the API call
      .mockResolvedValueOnce(json(200, tokens(2))) // the refresh
      .mockResolvedValueOnce(json(200, { items: [] })); // the API call again
    const answer = await session.fetch(new Request('http://gateway.test/v1/friends'));
    expect(answer.status).toBe(200);
    const retried = fetchMock.mock.calls[3]![0] as Request;
    expect(retried.headers.get('Authorization')).toBe('Bearer access-2');

    fetchMock
      .mockResolvedValueOnce(json(401, {}))
      .mockResolvedValueOnce(json(200, tokens(3)))
      .mockResolvedValueOnce(json(401, {}));
    await session.fetch(new Request('http://gateway.test/v1/friends'));
    expect(session.getState()).toEqual({ status: 'signed-out', notice: SESSION_ENDED_NOTICE });
  });
});
