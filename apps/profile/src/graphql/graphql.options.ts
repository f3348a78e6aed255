import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { AccessTokenVerifier } from '@app/platform';
import type { GraphQLSchema } from 'graphql';
import { join } from 'node:path';
import type { ProfileConfig } from '../config/profile.config';
import { formatGraphQLError } from './format-error';
import {
  GRAPHQL_IDE_DIR,
  type GraphqlIde,
  graphqlIdeLandingPage,
  loadGraphqlIde,
} from './graphql-ide';
import { graphqlWsOptions, type GraphqlWsPolicy, operationContext } from './graphql-ws.options';
import { QUERY_LIMITS, queryLimitsPlugin } from './query-limits';

/** The committed schema: the public contract front ends generate typed clients from. */
export const SCHEMA_FILE = join(process.cwd(), 'apps/profile/schema.gql');

/**
 * What every operation is held to, whichever transport brings it: Apollo applies it over
 * HTTP, `graphqlWsOptions` over graphql-ws. In production the schema stays private —
 * no introspection, no field names suggested in errors — on both.
 */
export function operationPolicy(config: Pick<ProfileConfig, 'env'>): Required<GraphqlWsPolicy> {
  const production = config.env === 'production';
  return { limits: QUERY_LIMITS, introspection: !production, hideSchemaDetails: production };
}

/**
 * The GraphQL IDE this process serves at `GET /graphql` (GraphiQL, self-hosted): wherever
 * introspection is on, so never in production, and only from a build that bundled it.
 */
export function graphqlIde(
  config: Pick<ProfileConfig, 'env'>,
  dir: string = GRAPHQL_IDE_DIR,
): GraphqlIde | undefined {
  return operationPolicy(config).introspection ? loadGraphqlIde(dir) : undefined;
}

/**
 * Options of the code-first GraphQL API at `/graphql` (HTTP) and its subscriptions
 * (graphql-ws on the same path).
 * - Only in development is the schema written to `apps/profile/schema.gql`; a unit test
 *   fails when code and the committed file disagree.
 * - Outside production a browser's `GET /graphql` gets GraphiQL ({@link graphqlIde}).
 * - In production introspection is off and errors do not suggest field names
 *   (`hideSchemaDetailsFromClientErrors`), so the schema cannot be probed — over HTTP and
 *   over graphql-ws alike ({@link operationPolicy}).
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
  const policy = operationPolicy(config);
  const ide = graphqlIde(config);
  let schema: GraphQLSchema | undefined;
  return {
    driver: ApolloDriver,
    path: '/graphql',
    autoSchemaFile: development ? SCHEMA_FILE : true,
    sortSchema: true,
    // The driver's own GraphiQL page loads from a CDN: off (Apollo's landing page stays
    // disabled too), in favour of the bundled IDE.
    graphiql: false,
    introspection: policy.introspection,
    hideSchemaDetailsFromClientErrors: policy.hideSchemaDetails,
    allowBatchedHttpRequests: false,
    plugins: [
      queryLimitsPlugin(policy.limits, (started) => (schema = started)),
      ...(ide ? [graphqlIdeLandingPage(ide)] : []),
    ],
    includeStacktraceInErrorResponses: false,
    // formatGraphQLError maps Nest's HTTP exceptions itself, with domain codes.
    autoTransformHttpErrors: false,
    formatError: formatGraphQLError,
    context: operationContext,
    subscriptions: {
      'graphql-ws': graphqlWsOptions(verifier, () => schema, policy),
    },
  };
}
