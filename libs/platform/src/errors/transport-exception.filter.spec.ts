import { ArgumentsHost, ConflictException, Logger } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from './domain-error';
import { TransportExceptionFilter } from './transport-exception.filter';

function httpHost() {
  const response = { status: jest.fn().mockReturnThis(), json: jest.fn() };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ArgumentsHost;
  return { host, response };
}

describe('TransportExceptionFilter on HTTP routes', () => {
  const filter = new TransportExceptionFilter();

  it('keeps the stable code of a domain error and maps its kind to a status', () => {
    const { host, response } = httpHost();
    filter.catch(
      new DomainError('PERMISSION_DENIED', ErrorCodes.FRIENDS_NOT_ADDRESSEE, 'not yours'),
      host,
    );
    expect(response.status).toHaveBeenCalledWith(403);
    expect(response.json).toHaveBeenCalledWith({
      statusCode: 403,
      code: 'FRIENDS.NOT_ADDRESSEE',
      message: 'not yours',
    });
  });

  it('gives Nest HTTP exceptions a code from their status', () => {
    const { host, response } = httpHost();
    filter.catch(new ConflictException('taken'), host);
    expect(response.json).toHaveBeenCalledWith(
      expect.objectContaining({ statusCode: 409, message: 'taken', code: 'HTTP.409' }),
    );
  });

  it('masks unknown errors as 500 without their message', () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { host, response } = httpHost();
    filter.catch(new Error('password=hunter2 leaked in a driver error'), host);
    expect(response.status).toHaveBeenCalledWith(500);
    const body = response.json.mock.calls[0][0] as { message: string; code: string };
    expect(body.code).toBe(ErrorCodes.INTERNAL);
    expect(body.message).not.toContain('hunter2');
  });
});

describe('TransportExceptionFilter on a database outage', () => {
  it('answers 503 COMMON.UNAVAILABLE, retryable, and logs a warning rather than an error', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    error.mockClear(); // the spy may already exist, with calls from an earlier test
    const { host, response } = httpHost();
    const killed = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    new TransportExceptionFilter().catch(killed, host);
    expect(response.status).toHaveBeenCalledWith(503);
    expect(response.json).toHaveBeenCalledWith({
      statusCode: 503,
      code: ErrorCodes.UNAVAILABLE,
      message: expect.stringContaining('retry'),
    });
    expect(warn).toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });
});

describe('TransportExceptionFilter on middleware errors', () => {
  it('answers an oversized body 413, not a masked 500', () => {
    const { host, response } = httpHost();
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      expose: true,
      type: 'entity.too.large',
    });
    new TransportExceptionFilter().catch(tooLarge, host);
    expect(response.status).toHaveBeenCalledWith(413);
    expect(response.json).toHaveBeenCalledWith({
      statusCode: 413,
      code: 'COMMON.PAYLOAD_TOO_LARGE',
      message: 'request entity too large',
    });
  });
});
