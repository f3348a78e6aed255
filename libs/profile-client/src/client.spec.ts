import { createProfileClient, MeDocument, UserDocument } from './index';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A fetch that records what it was asked and answers `answer`. */
function recordingFetch(answer: () => Response) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchStub: typeof fetch = (input, init) => {
    // The client passes the URL as a string and the body as JSON text.
    calls.push({ url: input as string, init: init ?? {} });
    return Promise.resolve(answer());
  };
  const headers = (i = 0) => new Headers(calls[i]?.init.headers);
  const body = (i = 0) => JSON.parse(calls[i]?.init.body as string) as unknown;
  return { fetch: fetchStub, calls, headers, body };
}

const ada = {
  id: '00000000-0000-4000-8000-000000000001',
  nickname: 'ada',
  displayName: null,
  bio: null,
  avatarUrl: null,
};

describe('createProfileClient', () => {
  it('POSTs the document and variables as JSON to <base>/graphql with the Bearer token', async () => {
    const http = recordingFetch(() => json(200, { data: { user: ada } }));
    const profile = createProfileClient('http://profile.test/', {
      fetch: http.fetch,
      token: () => Promise.resolve('client-token'),
    });

    const result = await profile.execute(UserDocument, { variables: { id: ada.id } });

    expect(result).toEqual({ status: 200, data: { user: ada } });
    expect(http.calls[0]?.url).toBe('http://profile.test/graphql');
    expect(http.calls[0]?.init.method).toBe('POST');
    expect(http.headers().get('authorization')).toBe('Bearer client-token');
    expect(http.headers().get('content-type')).toBe('application/json');
    expect(http.body()).toEqual({ query: UserDocument.toString(), variables: { id: ada.id } });
  });

  it('lets one call use another token, and sends none when there is none', async () => {
    const http = recordingFetch(() => json(200, { data: { me: { ...ada, email: 'a@x.test' } } }));
    const profile = createProfileClient('http://profile.test', { fetch: http.fetch });

    await profile.execute(MeDocument, { token: 'call-token' });
    await profile.execute(MeDocument);

    expect(http.headers(0).get('authorization')).toBe('Bearer call-token');
    expect(http.headers(1).has('authorization')).toBe(false);
    expect(http.body(1)).toEqual({ query: MeDocument.toString(), variables: {} });
  });

  it('resolves GraphQL errors as the service sent them, data included', async () => {
    const errors = [
      {
        message: 'Unauthorized',
        extensions: { code: 'UNAUTHENTICATED', errorCode: 'COMMON.UNAUTHENTICATED' },
      },
    ];
    const http = recordingFetch(() => json(200, { data: null, errors }));
    const result = await createProfileClient('http://profile.test', {
      fetch: http.fetch,
    }).execute(MeDocument);
    expect(result).toEqual({ status: 200, data: null, errors });
  });

  it('resolves a non-GraphQL answer (the edge’s JSON error, or no JSON) as a failure', async () => {
    const limited = recordingFetch(() =>
      json(429, { statusCode: 429, code: 'COMMON.RATE_LIMITED', message: 'Slow down' }),
    );
    await expect(
      createProfileClient('http://gw.test', { fetch: limited.fetch }).execute(MeDocument),
    ).resolves.toEqual({
      status: 429,
      failure: { code: 'COMMON.RATE_LIMITED', message: 'Slow down' },
    });

    const html = recordingFetch(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(
      createProfileClient('http://gw.test', { fetch: html.fetch }).execute(MeDocument),
    ).resolves.toEqual({ status: 502, failure: {} });
  });

  it('rejects when no answer arrived', async () => {
    const profile = createProfileClient('http://profile.test', {
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    await expect(profile.execute(MeDocument)).rejects.toThrow('fetch failed');
  });
});
