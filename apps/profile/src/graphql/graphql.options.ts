import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { join } from 'node:path';
import type { ProfileConfig } from '../config/profile.config';
import { formatGraphQLError } from './format-error';
import type { GqlContext } from './gql-context';

/** Where the schema is written in development; the committed copy is the public contract. */
export const SCHEMA_FILE = join(process.cwd(), 'apps/profile/schema.gql');

/**
 * Options of the code-first GraphQL API at `/graphql`. Outside production the schema is
 * written to `apps/profile/schema.gql` (sorted, so diffs stay small); in production it
 * is built in memory, introspection is off and there is no landing page.
 */
export function graphqlOptions(config: ProfileConfig): ApolloDriverConfig {
  const production = config.env === 'production';
  return {
    driver: ApolloDriver,
    path: '/graphql',
    autoSchemaFile: production ? true : SCHEMA_FILE,
    sortSchema: true,
    playground: false,
    introspection: !production,
    plugins: config.env === 'development' ? [ApolloServerPluginLandingPageLocalDefault()] : [],
    includeStacktraceInErrorResponses: false,
    // formatGraphQLError maps Nest's HTTP exceptions itself, with domain codes.
    autoTransformHttpErrors: false,
    formatError: formatGraphQLError,
    context: ({ req }: { req: GqlContext['req'] }): GqlContext => ({ req }),
  };
}
