import { CallHandler, ExecutionContext, UnprocessableEntityException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ErrorCodes } from '@app/contracts';
import { DomainError, FakeTransactionHost, TransactionHost } from '@app/platform';
import { lastValueFrom, of } from 'rxjs';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyRepository } from './idempotency.repository';

const USER = '00000000-0000-4000-8000-00000000000a';

function httpContext(request: Record<string, unknown>) {
  const response = { setHeader: jest.fn() };
  const context = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  return { context, response };
}

const post = (key: string | undefined, body: unknown = { userId: 'x' }) => ({
  method: 'POST',
  originalUrl: '/v1/blocks',
  headers: key === undefined ? {} : { 'idempotency-key': key },
  body,
  user: { userId: USER },
});

describe('IdempotencyInterceptor', () => {
  let interceptor: IdempotencyInterceptor;
  let keys: jest.Mocked<IdempotencyRepository>;
  let handler: CallHandler & { handle: jest.Mock };
  /** The hash the interceptor claimed the key with, to make a stored row from. */
  let claimedHash: string;

  beforeEach(async () => {
    keys = {
      claim: jest.fn((_u: string, _k: string, hash: string) => {
        claimedHash = hash;
        return Promise.resolve(true);
      }),
      find: jest.fn().mockResolvedValue(null),
      complete: jest.fn().mockResolvedValue(undefined),
    } as unknown as jest.Mocked<IdempotencyRepository>;
    handler = { handle: jest.fn(() => of({ id: 'fresh' })) };
    const moduleRef = await Test.createTestingModule({
      providers: [
        IdempotencyInterceptor,
        { provide: IdempotencyRepository, useValue: keys },
        { provide: TransactionHost, useValue: new FakeTransactionHost() },
      ],
    }).compile();
    interceptor = moduleRef.get(IdempotencyInterceptor);
  });

  const run = (request: Record<string, unknown>) => {
    const { context, response } = httpContext(request);
    return { result: lastValueFrom(interceptor.intercept(context, handler)), response };
  };

  it('passes requests without a key straight through', async () => {
    await expect(run(post(undefined)).result).resolves.toEqual({ id: 'fresh' });
    expect(keys.claim).not.toHaveBeenCalled();
  });

  it('runs the first request with a key and stores its answer under the key', async () => {
    await expect(run(post('k1')).result).resolves.toEqual({ id: 'fresh' });
    expect(keys.claim).toHaveBeenCalledWith(
      USER,
      'k1',
      expect.stringMatching(/^[0-9a-f]{64}$/),
      expect.any(Number),
    );
    expect(keys.complete).toHaveBeenCalledWith(USER, 'k1', { id: 'fresh' });
  });

  it('replays the stored answer for the same request without running it', async () => {
    await run(post('k1')).result;
    keys.claim.mockResolvedValue(false);
    keys.find.mockResolvedValue(
      Object.assign(new IdempotencyKeyEntity(), {
        requestHash: claimedHash,
        response: { id: 'first' },
      }),
    );
    handler.handle.mockClear();

    const { result, response } = run(post('k1'));
    await expect(result).resolves.toEqual({ id: 'first' });
    expect(handler.handle).not.toHaveBeenCalled();
    expect(response.setHeader).toHaveBeenCalledWith('idempotent-replayed', 'true');
  });

  it('refuses the same key with another body', async () => {
    await run(post('k1', { userId: 'a' })).result;
    keys.claim.mockResolvedValue(false);
    keys.find.mockResolvedValue(
      Object.assign(new IdempotencyKeyEntity(), { requestHash: claimedHash, response: {} }),
    );

    const error: unknown = await run(post('k1', { userId: 'b' })).result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityException);
    expect((error as UnprocessableEntityException).getResponse()).toMatchObject({
      code: ErrorCodes.FRIENDS_IDEMPOTENCY_KEY_REUSED,
    });
  });

  it('refuses a malformed key as a validation error', () => {
    const { context } = httpContext(post('has space'));
    expect(() => interceptor.intercept(context, handler)).toThrow(DomainError);
  });
});
