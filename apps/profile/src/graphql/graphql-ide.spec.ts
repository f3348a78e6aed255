import { ApolloServer, HeaderMap } from '@apollo/server';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graphqlIde } from './graphql.options';
import { graphqlIdeLandingPage, loadGraphqlIde } from './graphql-ide';

const PAGE =
  '<!doctype html><title>GraphiQL</title><script type="module" src="/graphql/assets/a.js"></script>';

describe('the GraphQL IDE', () => {
  let built: string;
  beforeAll(() => {
    built = mkdtempSync(join(tmpdir(), 'graphiql-'));
    mkdirSync(join(built, 'assets'));
    writeFileSync(join(built, 'index.html'), PAGE);
  });
  afterAll(() => rmSync(built, { recursive: true, force: true }));

  it('is served outside production, from the bundle of the build', () => {
    for (const env of ['development', 'test'] as const) {
      expect(graphqlIde({ env }, built)).toEqual({ html: PAGE, assetsDir: join(built, 'assets') });
    }
  });

  it('is never served in production, like introspection', () => {
    expect(graphqlIde({ env: 'production' }, built)).toBeUndefined();
  });

  it('is absent from a build without the bundle', () => {
    expect(loadGraphqlIde(join(built, 'missing'))).toBeUndefined();
  });

  describe('as Apollo’s landing page', () => {
    const server = new ApolloServer({
      typeDefs: 'type Query { ok: Boolean }',
      plugins: [graphqlIdeLandingPage({ html: PAGE, assetsDir: built })],
    });
    beforeAll(() => server.start());
    afterAll(() => server.stop());

    const get = (accept: string) =>
      server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: 'GET',
          headers: new HeaderMap([['accept', accept]]),
          search: '',
          body: undefined,
        },
        context: () => Promise.resolve({}),
      });

    it('answers a browser with the page', async () => {
      const response = await get('text/html,application/xhtml+xml,*/*;q=0.8');
      expect(response.headers.get('content-type')).toBe('text/html');
      expect(response.body).toEqual({ kind: 'complete', string: PAGE });
    });

    it('leaves GET operations to GraphQL for API clients', async () => {
      const response = await get('application/json');
      expect(response.headers.get('content-type')).not.toBe('text/html');
    });
  });
});
