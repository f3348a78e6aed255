import { Test } from '@nestjs/testing';
import { ErrorCodes, Topics } from '@app/contracts';
import { EventPublisher, OutboxErasure } from '@app/kafka';
import {
  DomainError,
  FakeTransactionHost,
  TransactionHost,
  type VerifiedAccessToken,
} from '@app/platform';
import { NicknameReservations } from '../profile-client/nickname-reservations';
import { AttemptLimiter } from '../rate-limit/attempt-limiter';
import { RefreshTokenFamilyEntity } from '../tokens/entities/refresh-token-family.entity';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { AccountDeletionService } from './account-deletion.service';
import { AccountsRepository } from './accounts.repository';
import { CredentialEntity } from './entities/credential.entity';
import { PasswordHasher } from './password-hasher';

const USER_ID = '5d1e2c1a-7f0e-4b8e-9a55-0c1f1c0b6a11';
const SESSION_ID = '0b0c7b1e-8d2f-4e77-a0a6-3f7c1d2e4b55';
const CLIENT = { address: '203.0.113.9' };
const CALLER: VerifiedAccessToken = {
  userId: USER_ID,
  email: 'alice@example.test',
  expiresAt: 2e9,
  sessionId: SESSION_ID,
  roles: ['user'],
};

const credential = (overrides: Partial<CredentialEntity> = {}): CredentialEntity =>
  Object.assign(new CredentialEntity(), {
    userId: USER_ID,
    email: 'alice@example.test',
    passwordHash: '$argon2id$hash',
    roles: ['user'],
    suspendedAt: null,
    ...overrides,
  });

const session = (startedAgoMs: number): RefreshTokenFamilyEntity =>
  Object.assign(new RefreshTokenFamilyEntity(), {
    id: SESSION_ID,
    userId: USER_ID,
    createdAt: new Date(Date.now() - startedAgoMs),
  });

async function setup() {
  const steps: string[] = [];
  const step =
    <T>(name: string, value?: T) =>
    () => {
      steps.push(name);
      return Promise.resolve(value);
    };
  const accounts = {
    findById: jest.fn().mockResolvedValue(credential()),
    findForUpdate: jest.fn().mockImplementation(step('lock account', credential())),
    delete: jest.fn().mockImplementation(step('delete account')),
  };
  const hasher = { verify: jest.fn().mockResolvedValue(true) };
  const limiter = {
    consumeLoginAttempt: jest.fn().mockResolvedValue(undefined),
    refundLoginAttempt: jest.fn().mockResolvedValue(undefined),
    recordLoginSuccess: jest.fn().mockResolvedValue(undefined),
  };
  const sessions = {
    endAllSessions: jest.fn().mockImplementation(step('end sessions', 2)),
    findSession: jest.fn().mockResolvedValue(session(60_000)),
  };
  const events = { publish: jest.fn().mockImplementation(step('publish')) };
  const outbox = {
    eraseUser: jest
      .fn()
      .mockImplementation(step('erase from outbox', { redacted: 1, withheld: 0 })),
  };
  const nicknames = { releaseDeleted: jest.fn().mockImplementation(step('erase in profile')) };
  const tx = new FakeTransactionHost((step) => steps.push(step));
  const moduleRef = await Test.createTestingModule({
    providers: [
      AccountDeletionService,
      { provide: AccountsRepository, useValue: accounts },
      { provide: PasswordHasher, useValue: hasher },
      { provide: AttemptLimiter, useValue: limiter },
      { provide: RefreshTokensService, useValue: sessions },
      { provide: EventPublisher, useValue: events },
      { provide: OutboxErasure, useValue: outbox },
      { provide: NicknameReservations, useValue: nicknames },
      { provide: TransactionHost, useValue: tx },
    ],
  }).compile();
  moduleRef.useLogger(false);
  return {
    service: moduleRef.get(AccountDeletionService),
    steps,
    accounts,
    hasher,
    limiter,
    sessions,
    events,
    outbox,
    nicknames,
  };
}

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('AccountDeletionService', () => {
  it('ends every session, deletes the account, erases it from the outbox and writes auth.user.deleted.v1 in one transaction, then frees the nickname', async () => {
    const { service, steps, sessions, events, outbox, hasher } = await setup();

    await service.deleteAccount(CALLER, 'the password', CLIENT);

    expect(hasher.verify).toHaveBeenCalledWith('$argon2id$hash', 'the password');
    expect(steps).toEqual([
      'begin',
      'lock account',
      'end sessions',
      'delete account',
      'erase from outbox',
      'publish',
      'commit',
      'erase in profile',
    ]);
    expect(sessions.endAllSessions).toHaveBeenCalledWith(USER_ID, 'account_deleted');
    expect(outbox.eraseUser).toHaveBeenCalledWith(USER_ID, {
      [Topics.UserRegistered]: ['email', 'nickname'],
      [Topics.AccountSuspended]: ['reason'],
    });
    expect(events.publish).toHaveBeenCalledWith(
      Topics.UserDeleted,
      { userId: USER_ID },
      { key: USER_ID },
    );
  });

  it('refuses a wrong password, counting it as a failed login, and deletes nothing', async () => {
    const { service, steps, hasher, limiter } = await setup();
    hasher.verify.mockResolvedValue(false);

    const error = await domainError(service.deleteAccount(CALLER, 'wrong', CLIENT));

    expect(error).toMatchObject({
      kind: 'UNAUTHENTICATED',
      code: ErrorCodes.AUTH_INVALID_CREDENTIALS,
    });
    expect(limiter.consumeLoginAttempt).toHaveBeenCalledWith('alice@example.test', CLIENT.address);
    expect(limiter.recordLoginSuccess).not.toHaveBeenCalled();
    expect(steps).toEqual([]);
  });

  it('deletes all the same when profile cannot be told at once (the event erases it later)', async () => {
    const { service, accounts, nicknames } = await setup();
    nicknames.releaseDeleted.mockRejectedValue(new Error('profile down'));

    await expect(service.deleteAccount(CALLER, 'the password', CLIENT)).resolves.toBeUndefined();
    expect(accounts.delete).toHaveBeenCalledWith(USER_ID);
  });

  it('lets an account without password confirm with a login of the last 5 minutes only', async () => {
    const { service, accounts, sessions, hasher } = await setup();
    accounts.findById.mockResolvedValue(credential({ passwordHash: null }));

    sessions.findSession.mockResolvedValueOnce(session(6 * 60_000));
    const stale = await domainError(service.deleteAccount(CALLER, '', CLIENT));
    expect(stale).toMatchObject({
      kind: 'UNAUTHENTICATED',
      code: ErrorCodes.AUTH_RECENT_LOGIN_REQUIRED,
    });
    expect(accounts.delete).not.toHaveBeenCalled();

    sessions.findSession.mockResolvedValueOnce(session(60_000));
    await service.deleteAccount(CALLER, '', CLIENT);
    expect(accounts.delete).toHaveBeenCalledWith(USER_ID);
    expect(hasher.verify).not.toHaveBeenCalled();
  });

  it('answers an account deleted meanwhile like an ended session', async () => {
    const { service, accounts } = await setup();
    accounts.findById.mockResolvedValue(null);

    const error = await domainError(service.deleteAccount(CALLER, 'the password', CLIENT));
    expect(error.code).toBe(ErrorCodes.AUTH_INVALID_TOKEN);
    expect(accounts.delete).not.toHaveBeenCalled();
  });
});
