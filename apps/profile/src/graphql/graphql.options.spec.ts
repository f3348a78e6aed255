import { ApolloServer, type GraphQLResponse } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { buildProfileSchema } from '../../test/support/build-schema';
import { graphqlOptions } from './graphql.options';

const verifier = { verify: jest.fn() };

/** An Apollo server with the options the service runs with in `env`. */
async function serverFor(env: 'production' | 'test', schema: GraphQLSchema) {
  const {
    introspection,
    hideSchemaDetailsFromClientErrors,
    includeStacktraceInErrorResponses,
    formatError,
    plugins,
  } = graphqlOptions({ env }, verifier);
  const server = new ApolloServer({
    schema,
    introspection,
    hideSchemaDetailsFromClientErrors,
    includeStacktraceInErrorResponses,
    formatError,
    plugins,
  });
  await server.start();
  return server;
}

const errorsOf = (response: GraphQLResponse) =>
  response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];

describe('graphqlOptions', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildProfileSchema();
  });

  describe('in production', () => {
    let server: ApolloServer;
    beforeAll(async () => (server = await serverFor('production', schema)));
    afterAll(() => server.stop());

    it('refuses introspection', async () => {
      const errors = errorsOf(
        await server.executeOperation({ query: '{ __schema { types { name } } }' }),
      );
      expect(errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(errors[0]?.message).toMatch(/introspection/i);
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
    let server: ApolloServer;
    beforeAll(async () => (server = await serverFor('test', schema)));
    afterAll(() => server.stop());

    it('allows introspection and suggests field names (so the test above can fail)', async () => {
      const introspection = await server.executeOperation({
        query: '{ __schema { queryType { name } } }',
      });
      expect(errorsOf(introspection)).toEqual([]);
      const errors = errorsOf(await server.executeOperation({ query: '{ mee { id } }' }));
      expect(errors[0]?.message).toMatch(/did you mean "me"/i);
    });
  });
});
