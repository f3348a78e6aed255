import { Logger } from '@nestjs/common';
import { unwrapResolverError } from '@apollo/server/errors';
import { GRAPHQL_CODE_OF, toDomainError } from '@app/platform';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { QueryLimitError } from './query-limits';

const logger = new Logger('GraphQLErrors');

/**
 * The one place errors become GraphQL errors. The query limits and Apollo's own verdicts on
 * a request (parse, validation, bad variables) carry their code and a message meant for the
 * client, and pass as they are; any other error is read by the platform's
 * {@link toDomainError} and carries `extensions.code` (by kind), `extensions.errorCode`
 * (the stable code) and any field details — an unexpected one logged and masked.
 */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { locations: formatted.locations, path: formatted.path };
  if (original instanceof QueryLimitError) {
    const { code, limit, actual } = original.extensions;
    return { ...base, message: original.message, extensions: { code, limit, actual } };
  }
  const code = formatted.extensions?.code;
  if (
    original instanceof GraphQLError &&
    typeof code === 'string' &&
    code !== 'INTERNAL_SERVER_ERROR'
  ) {
    return { ...base, message: formatted.message, extensions: { code } };
  }
  const domainError = toDomainError(original, {
    logger,
    where: 'in a GraphQL resolver',
    context: { path: formatted.path },
  });
  return {
    ...base,
    message: domainError.message,
    extensions: {
      code: GRAPHQL_CODE_OF[domainError.kind],
      errorCode: domainError.code,
      ...(domainError.details ? { details: domainError.details } : {}),
    },
  };
}
