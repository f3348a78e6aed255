import { HttpException, Logger } from '@nestjs/common';
import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCodes } from '@app/contracts';
import {
  asOutage,
  GRAPHQL_CODE_OF,
  isDomainError,
  kindOfHttpStatus,
  toHttpErrorBody,
} from '@app/platform';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { QueryLimitError } from './query-limits';

const logger = new Logger('GraphQLErrors');

/**
 * The one place errors become GraphQL errors: domain errors keep their message and
 * carry `extensions.code` (by kind) and `extensions.errorCode` (the stable domain code);
 * Apollo's own request errors (parse, validation, bad variables) pass unchanged; any
 * other error is logged and masked, so internals never reach a client.
 */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const unwrapped = unwrapResolverError(error);
  const original = asOutage(unwrapped, logger) ?? unwrapped;
  const base = { locations: formatted.locations, path: formatted.path };
  if (isDomainError(original)) {
    return {
      ...base,
      message: original.message,
      extensions: {
        code: GRAPHQL_CODE_OF[original.kind],
        errorCode: original.code,
        ...(original.details ? { details: original.details } : {}),
      },
    };
  }
  // Nest's own client errors (ValidationPipe, guards) answer as over HTTP, by their kind.
  const httpKind = clientErrorKind(original);
  if (httpKind) {
    const { message, code } = toHttpErrorBody(original, logger);
    return { ...base, message, extensions: { code: GRAPHQL_CODE_OF[httpKind], errorCode: code } };
  }
  if (original instanceof QueryLimitError) {
    const { code, limit, actual } = original.extensions;
    return { ...base, message: original.message, extensions: { code, limit, actual } };
  }
  // Apollo's own verdicts on a request (parse, validation, bad variables) carry their
  // code and a message meant for the client.
  const code = formatted.extensions?.code;
  if (
    original instanceof GraphQLError &&
    typeof code === 'string' &&
    code !== 'INTERNAL_SERVER_ERROR'
  ) {
    return { ...base, message: formatted.message, extensions: { code } };
  }
  logger.error({ err: original, path: formatted.path }, 'Unhandled error in a GraphQL resolver');
  return {
    ...base,
    message: 'Internal server error',
    extensions: { code: 'INTERNAL_SERVER_ERROR', errorCode: ErrorCodes.INTERNAL },
  };
}

function clientErrorKind(error: unknown) {
  if (!(error instanceof HttpException)) return undefined;
  const status = error.getStatus();
  return status < 500 ? kindOfHttpStatus(status) : undefined;
}
