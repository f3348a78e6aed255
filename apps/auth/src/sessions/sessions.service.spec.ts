import { Test } from '@nestjs/testing';
import { ErrorCodes } from '@app/contracts';
import { DomainError, type VerifiedAccessToken } from '@app/platform';
import { RefreshTokenFamilyEntity } from '../tokens/entities/refresh-token-family.entity';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { SessionsService } from './sessions.service';

const ALICE = '5d1e2c1a-7f0e-4b8e-9a55-0c1f1c0b6a11';
const BOB = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const CURRENT = '0b0c7b1e-8d2f-4e77-a0a6-3f7c1d2e4b55';
const OTHER = '7c2d1e0f-3a4b-4c5d-8e6f-708192a3b4c5';
const CALLER: VerifiedAccessToken = {
  userId: ALICE,
  email: 'alice@example.test',
  expiresAt: 2e9,
  sessionId: CURRENT,
  roles: ['user'],
};

const family = (id: string, overrides: Partial<RefreshTokenFamilyEntity> = {}) =>
  Object.assign(new RefreshTokenFamilyEntity(), {
    id,
    userId: ALICE,
    createdAt: new Date('2026-12-01T10:00:00Z'),
    lastUsedAt: new Date('2026-12-01T11:00:00Z'),
    revokedAt: null,
    userAgent: 'agent/1',
    ip: '203.0.113.9',
    ...overrides,
  });

async function setup() {
  const sessions = {
    liveSessions: jest.fn().mockResolvedValue([family(CURRENT), family(OTHER, { ip: null })]),
    findSession: jest.fn().mockResolvedValue(null),
    endSession: jest.fn().mockResolvedValue(true),
    endAllSessions: jest.fn().mockResolvedValue(1),
  };
  const moduleRef = await Test.createTestingModule({
    providers: [SessionsService, { provide: RefreshTokensService, useValue: sessions }],
  }).compile();
  return { service: moduleRef.get(SessionsService), sessions };
}

describe('SessionsService', () => {
  it("lists the caller's live sessions and marks the one asking", async () => {
    const { service, sessions } = await setup();

    const list = await service.list(CALLER);

    expect(sessions.liveSessions).toHaveBeenCalledWith(ALICE);
    expect(list).toEqual([
      expect.objectContaining({ sessionId: CURRENT, current: true, userAgent: 'agent/1' }),
      expect.objectContaining({ sessionId: OTHER, current: false, ip: null }),
    ]);
  });

  it("ends one of the caller's sessions as revoked by its user", async () => {
    const { service, sessions } = await setup();
    sessions.findSession.mockResolvedValue(family(OTHER));

    await service.revoke(CALLER, OTHER);

    expect(sessions.endSession).toHaveBeenCalledWith(OTHER, 'revoked');
  });

  it.each([
    ['unknown', null],
    ["another user's", family(OTHER, { userId: BOB })],
    ['already ended', family(OTHER, { revokedAt: new Date() })],
  ])('answers NOT_FOUND for an %s session and ends nothing', async (_case, found) => {
    const { service, sessions } = await setup();
    sessions.findSession.mockResolvedValue(found);

    const error: unknown = await service.revoke(CALLER, OTHER).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'NOT_FOUND', code: ErrorCodes.AUTH_SESSION_NOT_FOUND });
    expect(sessions.endSession).not.toHaveBeenCalled();
  });

  it('signs out everywhere else, or everywhere with includeCurrent', async () => {
    const { service, sessions } = await setup();

    await service.revokeAll(CALLER, false);
    await service.revokeAll(CALLER, true);

    expect(sessions.endAllSessions.mock.calls).toEqual([
      [ALICE, 'revoked', CURRENT],
      [ALICE, 'revoked', undefined],
    ]);
  });
});
