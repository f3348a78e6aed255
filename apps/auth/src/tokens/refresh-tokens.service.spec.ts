import { Test } from '@nestjs/testing';
import { ErrorCodes, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import {
  APP_CONFIG,
  DomainError,
  FakeTransactionHost,
  SessionRevocations,
  TransactionHost,
} from '@app/platform';
import { createHash } from 'node:crypto';
import type { AuthConfig } from '../config/auth.config';
import { RefreshTokenFamilyEntity } from './entities/refresh-token-family.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import {
  type EndedFamily,
  RefreshTokensRepository,
  RefreshTokenWithFamily,
} from './refresh-tokens.repository';
import { RefreshTokensService } from './refresh-tokens.service';

const USER_ID = '5d1e2c1a-7f0e-4b8e-9a55-0c1f1c0b6a11';
const FAMILY_ID = '0b0c7b1e-8d2f-4e77-a0a6-3f7c1d2e4b55';
const OTHER_FAMILY_ID = '7c2d1e0f-3a4b-4c5d-8e6f-708192a3b4c5';
const ACCESS_TTL_MS = 900_000;
const sha256 = (value: string) => createHash('sha256').update(value).digest();

const aFamily = (family: Partial<RefreshTokenFamilyEntity> = {}): RefreshTokenFamilyEntity =>
  Object.assign(new RefreshTokenFamilyEntity(), {
    id: FAMILY_ID,
    userId: USER_ID,
    createdAt: new Date(),
    revokedAt: null,
    lastUsedAt: new Date(),
    userAgent: null,
    ip: null,
    ...family,
  });

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
  family: aFamily(family),
});

const ended = (id: string, lastUsedAgoMs = 0): EndedFamily => ({
  id,
  userId: USER_ID,
  lastUsedAt: new Date(Date.now() - lastUsedAgoMs),
});

async function setup() {
  const repository: jest.Mocked<
    Pick<
      RefreshTokensRepository,
      | 'insertFamily'
      | 'insertToken'
      | 'findByHashForUpdate'
      | 'findFamilyByTokenHash'
      | 'findFamily'
      | 'markUsed'
      | 'touchFamily'
      | 'revokeFamily'
      | 'revokeFamiliesOf'
    >
  > = {
    insertFamily: jest.fn(),
    insertToken: jest.fn(),
    findByHashForUpdate: jest.fn().mockResolvedValue(null),
    findFamilyByTokenHash: jest.fn().mockResolvedValue(aFamily()),
    findFamily: jest.fn().mockResolvedValue(null),
    markUsed: jest.fn(),
    touchFamily: jest.fn(),
    revokeFamily: jest.fn().mockResolvedValue(null),
    revokeFamiliesOf: jest.fn().mockResolvedValue([]),
  };
  const tx = new FakeTransactionHost();
  const events = { publish: jest.fn().mockResolvedValue(undefined) };
  const revocations = { revoke: jest.fn().mockResolvedValue(undefined) };
  const config = {
    tokens: {
      accessTtlSeconds: ACCESS_TTL_MS / 1000,
      refreshTtlSeconds: 3600,
      refreshAbsoluteTtlSeconds: 86_400,
    },
  } as AuthConfig;
  const moduleRef = await Test.createTestingModule({
    providers: [
      RefreshTokensService,
      { provide: RefreshTokensRepository, useValue: repository },
      { provide: TransactionHost, useValue: tx },
      { provide: EventPublisher, useValue: events },
      { provide: SessionRevocations, useValue: revocations },
      { provide: APP_CONFIG, useValue: config },
    ],
  }).compile();
  moduleRef.useLogger(false);
  return {
    service: moduleRef.get(RefreshTokensService),
    repository,
    tx,
    events,
    revocations,
  };
}

const admitAnyone = () => Promise.resolve('the account');

async function expectInvalid(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect(error).toMatchObject({ kind: 'UNAUTHENTICATED', code: ErrorCodes.AUTH_INVALID_TOKEN });
}

describe('RefreshTokensService', () => {
  it('starts a session: 32 random bytes in base64url, stored only as their SHA-256', async () => {
    const { service, repository } = await setup();

    const { sessionId, refreshToken } = await service.issue(USER_ID, {
      userAgent: 'x'.repeat(300),
      ip: '203.0.113.5',
    });

    expect(refreshToken).toMatch(/^[\w-]{43}$/);
    const family = repository.insertFamily.mock.calls[0][0];
    expect(family).toMatchObject({ id: sessionId, userId: USER_ID, ip: '203.0.113.5' });
    expect(family.userAgent).toHaveLength(256);
    const row = repository.insertToken.mock.calls[0][0];
    expect(row.familyId).toBe(sessionId);
    expect(row.tokenHash.equals(sha256(refreshToken))).toBe(true);
    expect(JSON.stringify(row)).not.toContain(refreshToken);
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3_590_000);
  });

  it('rotates: marks the presented token used and issues the next in the same session', async () => {
    const { service, repository } = await setup();
    const current = stored();
    repository.findByHashForUpdate.mockResolvedValue(current);

    const rotated = await service.rotate('presented', admitAnyone);

    expect(repository.findByHashForUpdate).toHaveBeenCalledWith(sha256('presented'));
    expect(repository.markUsed).toHaveBeenCalledWith(current.token.id, expect.any(Date));
    expect(repository.touchFamily).toHaveBeenCalledWith(FAMILY_ID);
    expect(rotated).toMatchObject({
      userId: USER_ID,
      sessionId: FAMILY_ID,
      account: 'the account',
    });
    expect(rotated.refreshToken).not.toBe('presented');
    const next = repository.insertToken.mock.calls[0][0];
    expect(next.familyId).toBe(FAMILY_ID);
    expect(next.tokenHash.equals(sha256(rotated.refreshToken))).toBe(true);
    expect(repository.revokeFamily).not.toHaveBeenCalled();
  });

  it('asks admit about the account before locking the token, and writes nothing when refused', async () => {
    const { service, repository } = await setup();
    repository.findByHashForUpdate.mockResolvedValue(stored());
    const refused = new Error('suspended');
    const admit = jest.fn().mockRejectedValue(refused);

    await expect(service.rotate('presented', admit)).rejects.toBe(refused);

    expect(admit).toHaveBeenCalledWith(USER_ID);
    expect(repository.findByHashForUpdate).not.toHaveBeenCalled();
    expect(repository.insertToken).not.toHaveBeenCalled();
  });

  it('treats reuse of a used token as theft: ends the session (committed, announced) and refuses', async () => {
    const { service, repository, tx, events, revocations } = await setup();
    repository.findByHashForUpdate.mockResolvedValue(stored({ usedAt: new Date() }));
    repository.revokeFamily.mockResolvedValue(ended(FAMILY_ID));

    await expectInvalid(service.rotate('presented', admitAnyone));

    expect(repository.revokeFamily).toHaveBeenCalledWith(FAMILY_ID);
    expect(tx.commits).toBe(1);
    expect(events.publish).toHaveBeenCalledWith(
      Topics.SessionRevoked,
      { userId: USER_ID, sessionId: FAMILY_ID, reason: 'refresh_token_reuse' },
      { key: USER_ID },
    );
    expect(revocations.revoke).toHaveBeenCalledWith(FAMILY_ID, expect.any(Number));
    expect(repository.insertToken).not.toHaveBeenCalled();
  });

  it('ends a session at its absolute lifetime, however recently it was rotated', async () => {
    const { service, repository } = await setup();
    const dayAndASecondAgo = new Date(Date.now() - 86_401_000);
    repository.findByHashForUpdate.mockResolvedValue(stored({}, { createdAt: dayAndASecondAgo }));

    await expectInvalid(service.rotate('presented', admitAnyone));

    expect(repository.markUsed).not.toHaveBeenCalled();
    expect(repository.insertToken).not.toHaveBeenCalled();
  });

  it('never lets a successor outlive the session deadline', async () => {
    const { service, repository } = await setup();
    const startedAt = new Date(Date.now() - 86_400_000 + 600_000); // 10 minutes left
    repository.findByHashForUpdate.mockResolvedValue(stored({}, { createdAt: startedAt }));

    await service.rotate('presented', admitAnyone);

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

    await expectInvalid(service.rotate('presented', admitAnyone));

    expect(repository.insertToken).not.toHaveBeenCalled();
    expect(repository.markUsed).not.toHaveBeenCalled();
  });

  it('refuses empty and oversized tokens without a database read', async () => {
    const { service, repository } = await setup();
    await expectInvalid(service.rotate('', admitAnyone));
    await expectInvalid(service.rotate('x'.repeat(500), admitAnyone));
    expect(repository.findFamilyByTokenHash).not.toHaveBeenCalled();
  });

  it('logout ends the session of a known token and ignores unknown ones', async () => {
    const { service, repository, events } = await setup();
    repository.findFamilyByTokenHash.mockResolvedValueOnce(aFamily()).mockResolvedValueOnce(null);
    repository.revokeFamily.mockResolvedValue(ended(FAMILY_ID));

    await service.endSessionOf('presented', 'logout');
    await service.endSessionOf('unknown', 'logout');

    expect(repository.revokeFamily).toHaveBeenCalledTimes(1);
    expect(repository.revokeFamily).toHaveBeenCalledWith(FAMILY_ID);
    expect(events.publish).toHaveBeenCalledTimes(1);
    expect(events.publish.mock.calls[0][1]).toMatchObject({ reason: 'logout' });
  });

  it('announces nothing for a session that had ended already', async () => {
    const { service, events, revocations } = await setup();

    await expect(service.endSession(FAMILY_ID, 'revoked')).resolves.toBe(false);

    expect(events.publish).not.toHaveBeenCalled();
    expect(revocations.revoke).not.toHaveBeenCalled();
  });

  it('records a revocation only after the commit, until every token of the session has expired', async () => {
    const { service, repository, revocations } = await setup();
    repository.revokeFamily.mockResolvedValue(ended(FAMILY_ID));
    const before = Date.now();

    await service.endSession(FAMILY_ID, 'revoked');

    const [sessionId, until] = revocations.revoke.mock.calls[0] as [string, number];
    expect(sessionId).toBe(FAMILY_ID);
    expect(until).toBeGreaterThanOrEqual(before + ACCESS_TTL_MS);
  });

  it('ends every session of a user, announcing only those that may hold live access tokens', async () => {
    const { service, repository, events, revocations } = await setup();
    repository.revokeFamiliesOf.mockResolvedValue([
      ended(FAMILY_ID, 1_000),
      ended(OTHER_FAMILY_ID, 2 * ACCESS_TTL_MS),
    ]);

    await expect(service.endAllSessions(USER_ID, 'account_suspended')).resolves.toBe(2);

    expect(repository.revokeFamiliesOf).toHaveBeenCalledWith(USER_ID, undefined);
    expect(events.publish).toHaveBeenCalledTimes(1);
    expect(events.publish.mock.calls[0][1]).toEqual({
      userId: USER_ID,
      sessionId: FAMILY_ID,
      reason: 'account_suspended',
    });
    expect(revocations.revoke.mock.calls.map(([id]) => id)).toEqual([FAMILY_ID]);
  });

  it('keeps the session it is told to keep', async () => {
    const { service, repository } = await setup();

    await service.endAllSessions(USER_ID, 'revoked', FAMILY_ID);

    expect(repository.revokeFamiliesOf).toHaveBeenCalledWith(USER_ID, FAMILY_ID);
  });
});
