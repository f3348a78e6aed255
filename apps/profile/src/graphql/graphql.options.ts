import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { AccessTokenVerifier } from '@app/platform';
import type { GraphQLSchema } from 'graphql';
import { join } from 'node:path';
import type { ProfileConfig } from '../config/profile.config';
import { formatGraphQLError } from './format-error';
import { graphqlWsOptions, operationContext } from './graphql-ws.options';
import { QUERY_LIMITS, queryLimitsPlugin } from './query-limits';

/** The committed schema: the public contract front ends generate typed clients from. */
export const SCHEMA_FILE = join(process.cwd(), 'apps/profile/schema.gql');

/**
 * Options of the code-first GraphQL API at `/graphql` (HTTP) and its subscriptions
 * (graphql-ws on the same path).
 * - Only in development is the schema written to `apps/profile/schema.gql` and the Apollo
 *   Sandbox served; a unit test fails when code and the committed file disagree.
 * - In production introspection is off and errors do not suggest field names
 *   (`hideSchemaDetailsFromClientErrors`), so the schema cannot be probed.
 * - Every operation passes the query limits before any resolver runs; batched (array)
 *   HTTP bodies are refused.
 * - Errors are formatted by `formatGraphQLError` on both transports (graphql-ws through
 *   its own hooks, see `graphqlWsOptions`).
 */
export function graphqlOptions(
  config: Pick<ProfileConfig, 'env'>,
  verifier: Pick<AccessTokenVerifier, 'verify'>,
): ApolloDriverConfig {
  const development = config.env === 'development';
  const production = config.env === 'production';
  let schema: GraphQLSchema | undefined;
  return {
    driver: ApolloDriver,
    path: '/graphql',
    autoSchemaFile: development ? SCHEMA_FILE : true,
    sortSchema: true,
    playground: false,
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    allowBatchedHttpRequests: false,
    plugins: [
      queryLimitsPlugin(QUERY_LIMITS, (started) => (schema = started)),
      ...(development ? [ApolloServerPluginLandingPageLocalDefault()] : []),
    ],
    includeStacktraceInErrorResponses: false,
    // formatGraphQLError maps Nest's HTTP exceptions itself, with domain codes.
    autoTransformHttpErrors: false,
    formatError: formatGraphQLError,
    context: operationContext,
    subscriptions: {
      'graphql-ws': graphqlWsOptions(verifier, () => schema, { hideSchemaDetails: production }),
    },
  };
}
