import { Test } from '@nestjs/testing';
import { ErrorCodes } from '@app/contracts';
import { APP_CONFIG, DomainError, TransactionHost } from '@app/platform';
import { createHash } from 'node:crypto';
import type { AuthConfig } from '../config/auth.config';
import { RefreshTokenFamilyEntity } from './entities/refresh-token-family.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { RefreshTokensRepository, RefreshTokenWithFamily } from './refresh-tokens.repository';
import { RefreshTokensService } from './refresh-tokens.service';

const USER_ID = '5d1e2c1a-7f0e-4b8e-9a55-0c1f1c0b6a11';
const FAMILY_ID = '0b0c7b1e-8d2f-4e77-a0a6-3f7c1d2e4b55';
const sha256 = (value: string) => createHash('sha256').update(value).digest();

const stored = (
  token: Partial<RefreshTokenEntity> = {},
  family: Partial<RefreshTokenFamilyEntity> = {},
): RefreshTokenWithFamily => ({
  token: Object.assign(new RefreshTokenEntity(), {
    id: 'a3c1d2e4-0000-4000-8000-000000000001',
    familyId: FAMILY_ID,
    tokenHash: sha256('presented'),
    expiresAt: new Date(Date.now() + 60_000),
    usedAt: null,
    createdAt: new Date(),
    ...token,
  }),
  family: Object.assign(new RefreshTokenFamilyEntity(), {
    id: FAMILY_ID,
    userId: USER_ID,
    createdAt: new Date(),
    revokedAt: null,
    ...family,
  }),
});

async function setup() {
  const repository: jest.Mocked<
    Pick<
      RefreshTokensRepository,
      | 'insertFamily'
      | 'insertToken'
      | 'findByHashForUpdate'
      | 'findByHash'
      | 'markUsed'
      | 'revokeFamily'
    >
  > = {
    insertFamily: jest.fn(),
    insertToken: jest.fn(),
    findByHashForUpdate: jest.fn().mockResolvedValue(null),
    findByHash: jest.fn().mockResolvedValue(null),
    markUsed: jest.fn(),
    revokeFamily: jest.fn(),
  };
  const committed: boolean[] = [];
  const tx: Pick<TransactionHost, 'run'> = {
    run: async <T>(work: () => Promise<T>) => {
      const result = await work();
      committed.push(true);
      return result;
    },
  };
  const config = {
    tokens: { refreshTtlSeconds: 3600, refreshAbsoluteTtlSeconds: 86_400 },
  } as AuthConfig;
  const moduleRef = await Test.createTestingModule({
    providers: [
      RefreshTokensService,
      { provide: RefreshTokensRepository, useValue: repository },
      { provide: TransactionHost, useValue: tx },
      { provide: APP_CONFIG, useValue: config },
    ],
  }).compile();
  moduleRef.useLogger(false);
  return { service: moduleRef.get(RefreshTokensService), repository, committed };
}

async function expectInvalid(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect(error).toMatchObject({ kind: 'UNAUTHENTICATED', code: ErrorCodes.AUTH_INVALID_TOKEN });
}

describe('RefreshTokensService', () => {
  it('issues 32 random bytes in base64url and stores only their SHA-256', async () => {
    const { service, repository } = await setup();

    const token = await service.issue(USER_ID);

    expect(token).toMatch(/^[\w-]{43}$/);
    const family = repository.insertFamily.mock.calls[0][0];
    expect(family.userId).toBe(USER_ID);
    const row = repository.insertToken.mock.calls[0][0];
    expect(row.familyId).toBe(family.id);
    expect(row.tokenHash.equals(sha256(token))).toBe(true);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3_590_000);
  });

  it('rotates: marks the presented token used and issues the next in the same family', async () => {
    const { service, repository } = await setup();
    const current = stored();
    repository.findByHashForUpdate.mockResolvedValue(current);

    const rotated = await service.rotate('presented');

    expect(repository.findByHashForUpdate).toHaveBeenCalledWith(sha256('presented'));
    expect(repository.markUsed).toHaveBeenCalledWith(current.token.id, expect.any(Date));
    expect(rotated.userId).toBe(USER_ID);
    expect(rotated.refreshToken).not.toBe('presented');
    const next = repository.insertToken.mock.calls[0][0];
    expect(next.familyId).toBe(FAMILY_ID);
    expect(next.tokenHash.equals(sha256(rotated.refreshToken))).toBe(true);
    expect(repository.revokeFamily).not.toHaveBeenCalled();
  });

  it('treats reuse of a used token as theft: revokes the family (committed) and refuses', async () => {
    const { service, repository, committed } = await setup();
    repository.findByHashForUpdate.mockResolvedValue(stored({ usedAt: new Date() }));

    await expectInvalid(service.rotate('presented'));

    expect(repository.revokeFamily).toHaveBeenCalledWith(FAMILY_ID, expect.any(Date));
    expect(committed).toEqual([true]);
    expect(repository.insertToken).not.toHaveBeenCalled();
  });

  it('ends a session at its absolute lifetime, however recently it was rotated', async () => {
    const { service, repository } = await setup();
    const dayAndASecondAgo = new Date(Date.now() - 86_401_000);
    repository.findByHashForUpdate.mockResolvedValue(stored({}, { createdAt: dayAndASecondAgo }));

    await expectInvalid(service.rotate('presented'));

    expect(repository.markUsed).not.toHaveBeenCalled();
    expect(repository.insertToken).not.toHaveBeenCalled();
  });

  it('never lets a successor outlive the session deadline', async () => {
    const { service, repository } = await setup();
    const startedAt = new Date(Date.now() - 86_400_000 + 600_000); // 10 minutes left
    repository.findByHashForUpdate.mockResolvedValue(stored({}, { createdAt: startedAt }));

    await service.rotate('presented');

    const next = repository.insertToken.mock.calls[0][0];
    expect(next.expiresAt.getTime()).toBe(startedAt.getTime() + 86_400_000);
  });

  it.each([
    ['unknown', null],
    ['expired', stored({ expiresAt: new Date(Date.now() - 1) })],
    ['of a revoked family', stored({}, { revokedAt: new Date() })],
  ])('refuses a token that is %s without issuing another', async (_case, found) => {
    const { service, repository } = await setup();
    repository.findByHashForUpdate.mockResolvedValue(found);

    await expectInvalid(service.rotate('presented'));

    expect(repository.insertToken).not.toHaveBeenCalled();
    expect(repository.markUsed).not.toHaveBeenCalled();
  });

  it('refuses empty and oversized tokens without a database read', async () => {
    const { service, repository } = await setup();
    await expectInvalid(service.rotate(''));
    await expectInvalid(service.rotate('x'.repeat(500)));
    expect(repository.findByHashForUpdate).not.toHaveBeenCalled();
  });

  it('logout revokes the family of a known token and ignores unknown ones', async () => {
    const { service, repository } = await setup();
    repository.findByHash.mockResolvedValueOnce(stored().token);

    await service.revokeFamilyOf('presented');
    await service.revokeFamilyOf('unknown');

    expect(repository.revokeFamily).toHaveBeenCalledTimes(1);
    expect(repository.revokeFamily).toHaveBeenCalledWith(FAMILY_ID, expect.any(Date));
  });
});
