// GraphQL Code Generator: typed documents for the operations in src/operations/*.graphql,
// checked against profile's published schema (apps/profile/schema.gql). Run from the
// repo root by `npm run graphql:gen`; `npm run lint` runs it with `--check`, which fails
// on a stale output. Never edit src/generated/ by hand.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'apps/profile/schema.gql',
  documents: 'libs/profile-client/src/operations/*.graphql',
  generates: {
    'libs/profile-client/src/generated/operations.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        // Documents as strings (a String subclass carrying the result and variables
        // types), so a browser bundle needs no GraphQL parser or printer to send one.
        documentMode: 'string',
        useTypeImports: true,
        skipTypename: true,
        enumsAsTypes: true,
        strictScalars: true,
        // DateTime travels as an ISO-8601 string in JSON.
        scalars: { DateTime: 'string', ID: { input: 'string', output: 'string' } },
      },
    },
  },
  errorsOnly: true,
};

export default config;
