import { BadRequestException, Logger, ServiceUnavailableException } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from './domain-error';
import { HttpStatusError, toDomainError } from './normalise-error';

describe('toDomainError', () => {
  const logger = new Logger('test');
  const source = { logger, where: 'in a test', context: { event: 'e' } };
  let error: jest.SpyInstance;
  let warn: jest.SpyInstance;
  beforeEach(() => {
    error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('keeps a domain error as it is', () => {
    const domain = new DomainError('NOT_FOUND', ErrorCodes.NOT_FOUND, 'gone');
    expect(toDomainError(domain, source)).toBe(domain);
  });

  it('reads a Nest exception by its status, keeping status, code and message', () => {
    const read = toDomainError(new BadRequestException(['a is bad', 'b is bad']));
    expect(read).toBeInstanceOf(HttpStatusError);
    expect(read).toMatchObject({
      status: 400,
      kind: 'INVALID_ARGUMENT',
      code: ErrorCodes.VALIDATION_FAILED,
      message: 'a is bad; b is bad',
    });
    expect(toDomainError(new ServiceUnavailableException())).toMatchObject({
      status: 503,
      kind: 'UNAVAILABLE',
      code: 'HTTP.503',
    });
  });

  it("reads an Express client error (body-parser's) by its status", () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      expose: true,
    });
    expect(toDomainError(tooLarge)).toMatchObject({
      status: 413,
      kind: 'INVALID_ARGUMENT',
      code: 'COMMON.PAYLOAD_TOO_LARGE',
      message: 'request entity too large',
    });
  });

  it('reads a WsException as INVALID_ARGUMENT', () => {
    expect(toDomainError(new WsException('bad event'))).toMatchObject({
      kind: 'INVALID_ARGUMENT',
      code: ErrorCodes.VALIDATION_FAILED,
      message: 'bad event',
    });
  });

  it('answers a lost database connection UNAVAILABLE, as a warning', () => {
    const lost = new Error('Connection terminated unexpectedly');
    expect(toDomainError(lost, source)).toMatchObject({
      kind: 'UNAVAILABLE',
      code: ErrorCodes.UNAVAILABLE,
    });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(error).not.toHaveBeenCalled();
  });

  it('logs anything else with where it happened and masks it as INTERNAL', () => {
    const bug = new Error('password=hunter2');
    expect(toDomainError(bug, source)).toMatchObject({
      kind: 'INTERNAL',
      code: ErrorCodes.INTERNAL,
      message: 'Internal server error',
    });
    expect(error).toHaveBeenCalledWith({ err: bug, event: 'e' }, 'Unhandled error in a test');
  });

  it('logs nothing without a source (the metrics)', () => {
    expect(toDomainError(new Error('x')).kind).toBe('INTERNAL');
    expect(error).not.toHaveBeenCalled();
  });
});
