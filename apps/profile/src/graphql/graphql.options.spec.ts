import { ApolloServer, type GraphQLResponse } from '@apollo/server';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { buildProfileSchema } from '../../test/support/build-schema';
import { graphqlOptions } from './graphql.options';
import type { GraphqlWsOptions } from './graphql-ws.options';

const verifier = { verify: jest.fn() };

/**
 * An Apollo server with the options the service runs with in `env`, and what graphql-ws
 * does with an operation under the same options (its hooks see the schema once Apollo
 * has started, as in the service): the formatted errors it sends, or [] when it runs it.
 */
async function serverFor(env: 'production' | 'test', schema: GraphQLSchema) {
  const {
    introspection,
    hideSchemaDetailsFromClientErrors,
    includeStacktraceInErrorResponses,
    formatError,
    plugins,
    subscriptions,
  } = graphqlOptions({ env }, verifier);
  const ws = subscriptions?.['graphql-ws'] as GraphqlWsOptions;
  const ctx = {} as Parameters<NonNullable<GraphqlWsOptions['onSubscribe']>>[0];
  const overWebSocket = (query: string) => {
    const refused = ws.onSubscribe!(ctx, '1', { query });
    return Array.isArray(refused)
      ? (ws.onError!(ctx, '1', { query }, refused) as GraphQLFormattedError[])
      : [];
  };
  const server = new ApolloServer({
    schema,
    introspection,
    hideSchemaDetailsFromClientErrors,
    includeStacktraceInErrorResponses,
    formatError,
    plugins,
  });
  await server.start();
  return Object.assign(server, { overWebSocket });
}

const errorsOf = (response: GraphQLResponse) =>
  response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];

describe('graphqlOptions', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildProfileSchema();
  });

  describe('in production', () => {
    let server: Awaited<ReturnType<typeof serverFor>>;
    beforeAll(async () => (server = await serverFor('production', schema)));
    afterAll(() => server.stop());

    it('refuses introspection', async () => {
      const errors = errorsOf(
        await server.executeOperation({ query: '{ __schema { types { name } } }' }),
      );
      expect(errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(errors[0]?.message).toMatch(/introspection/i);
    });

    it('refuses introspection over graphql-ws as well, with the same code', () => {
      for (const query of [
        '{ __schema { types { name } } }',
        '{ __type(name: "Profile") { name } }',
      ]) {
        const [error] = server.overWebSocket(query);
        expect(error?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(error?.message).toMatch(/introspection/i);
      }
    });

    it('does not suggest field names in errors', async () => {
      const errors = errorsOf(await server.executeOperation({ query: '{ mee { id } }' }));
      expect(errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(errors[0]?.message).not.toMatch(/did you mean/i);
    });

    it('still enforces the query limits', async () => {
      const deep = `{ me { ${'friends { edges { node { '.repeat(4)}id${' } } }'.repeat(4)} } }`;
      const errors = errorsOf(await server.executeOperation({ query: deep }));
      expect(errors[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
    });
  });

  describe('outside production', () => {
    let server: Awaited<ReturnType<typeof serverFor>>;
    beforeAll(async () => (server = await serverFor('test', schema)));
    afterAll(() => server.stop());

    it('allows introspection and suggests field names (so the test above can fail)', async () => {
      const introspection = await server.executeOperation({
        query: '{ __schema { queryType { name } } }',
      });
      expect(errorsOf(introspection)).toEqual([]);
      const errors = errorsOf(await server.executeOperation({ query: '{ mee { id } }' }));
      expect(errors[0]?.message).toMatch(/did you mean "me"/i);
      expect(server.overWebSocket('{ __schema { queryType { name } } }')).toEqual([]);
    });
  });
});
