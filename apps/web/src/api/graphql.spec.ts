import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ApiError } from './errors';
import { execute, SearchUsersDocument, UpdateProfileDocument } from './graphql';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const ada = {
  id: '00000000-0000-4000-8000-000000000001',
  nickname: 'ada',
  displayName: 'Ada Lovelace',
  bio: null,
  avatarUrl: null,
};

describe('execute (the web client’s GraphQL calls through @app/profile-client)', () => {
  const realWindow = (globalThis as { window?: unknown }).window;
  beforeAll(() => {
    // The page's origin: the client talks to `/graphql` of the gateway that served it.
    (globalThis as { window?: unknown }).window = { location: { origin: 'http://gateway.test' } };
  });
  afterAll(() => {
    (globalThis as { window?: unknown }).window = realWindow;
  });

  it('POSTs the generated document and its variables to the origin’s /graphql', async () => {
    const send = jest.fn((_request: Request) =>
      Promise.resolve(json(200, { data: { searchUsers: { edges: [{ node: ada }] } } })),
    );
    const data = await execute(send, SearchUsersDocument, { query: 'ada', first: 10 });
    expect(data.searchUsers.edges[0]?.node.nickname).toBe('ada');

    const request = send.mock.calls[0]![0];
    expect(request.method).toBe('POST');
    expect(request.url).toBe('http://gateway.test/graphql');
    expect(await request.json()).toEqual({
      query: SearchUsersDocument.toString(),
      variables: { query: 'ada', first: 10 },
    });
  });

  it('rejects with the domain code of a GraphQL error', async () => {
    const send = () =>
      Promise.resolve(
        json(200, {
          data: null,
          errors: [
            {
              message: 'This nickname is taken',
              extensions: { code: 'CONFLICT', errorCode: 'PROFILE.NICKNAME_TAKEN' },
            },
          ],
        }),
      );
    const failed = execute(send, UpdateProfileDocument, { input: { nickname: 'ada' } });
    await expect(failed).rejects.toBeInstanceOf(ApiError);
    await expect(failed).rejects.toMatchObject({ code: 'PROFILE.NICKNAME_TAKEN', status: 200 });
  });

  it('rejects with the edge’s code when the gateway answers instead of profile', async () => {
    const send = () =>
      Promise.resolve(
        json(429, { statusCode: 429, code: 'COMMON.RATE_LIMITED', message: 'Too many requests' }),
      );
    await expect(execute(send, SearchUsersDocument, { query: 'ada' })).rejects.toMatchObject({
      code: 'COMMON.RATE_LIMITED',
      message: 'Too many requests',
      status: 429,
    });
  });
});
