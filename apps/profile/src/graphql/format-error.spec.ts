import { BadRequestException, Logger } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { formatGraphQLError } from './format-error';

/** What Apollo hands formatError for an error thrown in a resolver at `path`. */
const fromResolver = (error: Error): [GraphQLFormattedError, unknown] => [
  {
    message: error.message,
    path: ['me'],
    extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['…'] },
  },
  new GraphQLError(error.message, { path: ['me'], originalError: error }),
];

describe('formatGraphQLError', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));

  it.each([
    ['UNAUTHENTICATED', ErrorCodes.UNAUTHENTICATED, 'UNAUTHENTICATED'],
    ['PERMISSION_DENIED', ErrorCodes.FORBIDDEN, 'FORBIDDEN'],
    ['INVALID_ARGUMENT', ErrorCodes.VALIDATION_FAILED, 'BAD_USER_INPUT'],
    ['NOT_FOUND', ErrorCodes.PROFILE_NOT_FOUND, 'NOT_FOUND'],
    ['ALREADY_EXISTS', ErrorCodes.PROFILE_NICKNAME_TAKEN, 'CONFLICT'],
  ] as const)(
    'maps a %s domain error to extensions.code %s with its domain code',
    (kind, code, gqlCode) => {
      const out = formatGraphQLError(...fromResolver(new DomainError(kind, code, 'nope')));
      expect(out).toEqual({
        message: 'nope',
        path: ['me'],
        extensions: { code: gqlCode, errorCode: code },
      });
    },
  );

  it('masks unknown errors and drops their stack trace', () => {
    const out = formatGraphQLError(...fromResolver(new Error('connection to 10.0.0.3 refused')));
    expect(out.message).toBe('Internal server error');
    expect(out.extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      errorCode: ErrorCodes.INTERNAL,
    });
  });

  it('maps Nest validation failures to BAD_USER_INPUT', () => {
    const out = formatGraphQLError(...fromResolver(new BadRequestException(['bio is too long'])));
    expect(out.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      errorCode: ErrorCodes.VALIDATION_FAILED,
    });
    expect(out.message).toBe('bio is too long');
  });

  it("keeps Apollo's own request errors (validation) as they are", () => {
    const error = new GraphQLError('Cannot query field "nope" on type "Profile".', {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const out = formatGraphQLError(
      { message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      error,
    );
    expect(out.message).toBe(error.message);
    expect(out.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });
});
