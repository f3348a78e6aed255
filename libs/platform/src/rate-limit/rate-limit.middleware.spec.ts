import { ErrorCodes } from '@app/contracts';
import type { NextFunction, Request, Response } from 'express';
import type { AccessTokenVerifier } from '../auth/access-token.verifier';
import { DomainError } from '../errors/domain-error';
import { RateLimitMiddleware } from './rate-limit.middleware';
import type { Caller, RateLimitOptions } from './rate-limit.options';
import type { RequestRateLimiter } from './request-rate-limiter';

const USER_ID = '3f0c3a5e-8b7e-4a53-9a53-5a0b4b2f7c11';

function aRequest(url: string, headers: Record<string, string> = {}): Request {
  return {
    originalUrl: url,
    headers,
    socket: { remoteAddress: '::ffff:10.1.2.3' },
  } as unknown as Request;
}

function aResponse() {
  const response = {
    headers: {} as Record<string, string>,
    statusCode: 200,
    body: undefined as unknown,
    setHeader(name: string, value: string) {
      this.headers[name] = value;
      return this;
    },
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    json(body: unknown) {
      this.body = body;
      return this;
    },
  };
  return response;
}

describe('RateLimitMiddleware', () => {
  let taken: Caller[];
  let retryAfter: number | undefined;
  const limiter = {
    take: (caller: Caller) => {
      taken.push(caller);
      return Promise.resolve(retryAfter);
    },
  } as unknown as RequestRateLimiter;
  const verifier = {
    verify: (token: string) =>
      token === 'good'
        ? Promise.resolve({ userId: USER_ID, email: 'a@example.test', expiresAt: 0 })
        : Promise.reject(new DomainError('UNAUTHENTICATED', ErrorCodes.UNAUTHENTICATED, 'no')),
  } as unknown as AccessTokenVerifier;
  const options: RateLimitOptions = {
    keyPrefix: 'test',
    windowSeconds: 60,
    perUser: 1,
    perAddress: 1,
    trustProxy: false,
  };
  const middleware = (overrides: Partial<RateLimitOptions> = {}) =>
    new RateLimitMiddleware(limiter, verifier, { ...options, ...overrides });

  beforeEach(() => {
    taken = [];
    retryAfter = undefined;
  });

  async function run(target: RateLimitMiddleware, request: Request) {
    const response = aResponse();
    const next = jest.fn() as NextFunction;
    await target.use(request, response as unknown as Response, next);
    return { response, next: next as jest.Mock };
  }

  it.each(['/health/live', '/health/ready', '/metrics', '/docs', '/docs/', '/docs-json'])(
    'never counts %s',
    async (path) => {
      retryAfter = 30;
      const { next } = await run(middleware(), aRequest(path));
      expect(next).toHaveBeenCalled();
      expect(taken).toEqual([]);
    },
  );

  it('counts a request with a valid token against its user', async () => {
    const { next } = await run(
      middleware(),
      aRequest('/v1/friends?limit=5', { authorization: 'Bearer good' }),
    );
    expect(next).toHaveBeenCalled();
    expect(taken).toEqual([{ kind: 'user', userId: USER_ID }]);
  });

  it('counts a request without a valid token against its address, never a claimed user', async () => {
    await run(middleware(), aRequest('/v1/friends', { authorization: 'Bearer forged' }));
    await run(middleware(), aRequest('/metricsx'));
    expect(taken).toEqual([
      { kind: 'address', address: '10.1.2.3' },
      { kind: 'address', address: '10.1.2.3' },
    ]);
  });

  it('takes the address the trusted proxy appended to x-forwarded-for', async () => {
    const forwarded = aRequest('/v1/friends', { 'x-forwarded-for': '1.1.1.1, 203.0.113.9' });
    await run(middleware({ trustProxy: true }), forwarded);
    await run(middleware(), forwarded);
    expect(taken).toEqual([
      { kind: 'address', address: '203.0.113.9' },
      { kind: 'address', address: '10.1.2.3' },
    ]);
  });

  it('answers a caller over its limit 429 with Retry-After and COMMON.RATE_LIMITED', async () => {
    retryAfter = 42;
    const { response, next } = await run(
      middleware(),
      aRequest('/v1/friends', { authorization: 'Bearer good' }),
    );
    expect(next).not.toHaveBeenCalled();
    expect(response.statusCode).toBe(429);
    expect(response.headers['Retry-After']).toBe('42');
    expect(response.body).toEqual({
      statusCode: 429,
      code: ErrorCodes.RATE_LIMITED,
      message: expect.any(String),
    });
  });

  it('answers in the shape the app declared', async () => {
    retryAfter = 1;
    const { response } = await run(
      middleware({ refusalBody: (error) => ({ errors: [{ code: error.code }] }) }),
      aRequest('/graphql'),
    );
    expect(response.statusCode).toBe(429);
    expect(response.body).toEqual({ errors: [{ code: ErrorCodes.RATE_LIMITED }] });
  });
});
