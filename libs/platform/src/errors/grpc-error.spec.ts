import { BadRequestException, Logger } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { Metadata, status } from '@grpc/grpc-js';
import { DomainError } from './domain-error';
import { ERROR_CODE_METADATA_KEY, GrpcErrorObject, toGrpcError } from './grpc-error';

describe('toGrpcError', () => {
  const logger = new Logger('test');
  beforeAll(() => {
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });

  const codeOf = (error: object) =>
    ((error as GrpcErrorObject).metadata as Metadata).get(ERROR_CODE_METADATA_KEY)[0];

  it('maps a domain error kind to its status and carries the code in a trailer', () => {
    const error = toGrpcError(
      new DomainError('ALREADY_EXISTS', ErrorCodes.AUTH_EMAIL_TAKEN, 'taken'),
      logger,
    ) as GrpcErrorObject;
    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(codeOf(error)).toBe('AUTH.EMAIL_TAKEN');
  });

  it('answers a validation failure INVALID_ARGUMENT, not INTERNAL', () => {
    const error = toGrpcError(new BadRequestException(['email must be an email']), logger);
    expect((error as GrpcErrorObject).code).toBe(status.INVALID_ARGUMENT);
    expect((error as GrpcErrorObject).message).toContain('email must be an email');
    expect(codeOf(error)).toBe(ErrorCodes.VALIDATION_FAILED);
  });

  it('masks unknown errors as INTERNAL', () => {
    const error = toGrpcError(
      new Error('connection string postgres://secret'),
      logger,
    ) as GrpcErrorObject;
    expect(error.code).toBe(status.INTERNAL);
    expect(error.message).not.toContain('secret');
  });

  it('answers a lost database connection UNAVAILABLE, which callers may retry', () => {
    const error = toGrpcError(
      Object.assign(new Error('Connection terminated unexpectedly'), { code: undefined }),
      logger,
    ) as GrpcErrorObject;
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(codeOf(error)).toBe(ErrorCodes.UNAVAILABLE);
  });
});
