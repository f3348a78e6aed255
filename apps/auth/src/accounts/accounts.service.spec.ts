import { Test } from '@nestjs/testing';
import { ErrorCodes, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { DomainError, FakeTransactionHost, TransactionHost } from '@app/platform';
import {
  NicknameReservations,
  ProfileNotCalledError,
} from '../profile-client/nickname-reservations';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { emailTaken } from './accounts.errors';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { CredentialEntity } from './entities/credential.entity';
import { PasswordHasher } from './password-hasher';
import { RegistrationsInProgressRepository } from './registrations-in-progress.repository';
import { AttemptLimiter } from '../rate-limit/attempt-limiter';
import { RateLimitedError } from '../rate-limit/rate-limit.errors';

const CLIENT = { address: '203.0.113.9' };
const SESSION_ID = '0b0c7b1e-8d2f-4e77-a0a6-3f7c1d2e4b55';

const registration = (
  overrides: Partial<{ email: string; password: string; nickname: string }> = {},
) => ({
  email: 'Alice@Example.test',
  password: 'correct horse battery',
  nickname: 'alice_1',
  ...overrides,
});

const credential = (overrides: Partial<CredentialEntity> = {}): CredentialEntity =>
  Object.assign(new CredentialEntity(), {
    userId: '5d1e2c1a-7f0e-4b8e-9a55-0c1f1c0b6a11',
    email: 'alice@example.test',
    passwordHash: '$argon2id$hash',
    roles: ['user'],
    suspendedAt: null,
    suspensionReason: null,
    createdAt: new Date(),
    updatedAt: new Date(),
    ...overrides,
  });

async function setup() {
  const order: string[] = [];
  const accounts: jest.Mocked<
    Pick<
      AccountsRepository,
      'insert' | 'findByEmail' | 'findById' | 'findForShare' | 'updatePasswordHash'
    >
  > = {
    insert: jest.fn().mockImplementation(() => Promise.resolve(void order.push('insert'))),
    findByEmail: jest.fn().mockResolvedValue(null),
    findById: jest.fn().mockResolvedValue(null),
    // The account a session is started for, as the transaction reads it.
    findForShare: jest.fn().mockImplementation(() => Promise.resolve(credential())),
    updatePasswordHash: jest.fn().mockResolvedValue(undefined),
  };
  const hasher: jest.Mocked<
    Pick<PasswordHasher, 'hash' | 'verify' | 'verifyDummy' | 'needsRehash'>
  > = {
    hash: jest.fn().mockResolvedValue('$argon2id$hash'),
    verify: jest.fn().mockResolvedValue(true),
    verifyDummy: jest.fn().mockResolvedValue(undefined),
    needsRehash: jest.fn().mockReturnValue(false),
  };
  const nicknames: jest.Mocked<NicknameReservations> = {
    reserve: jest.fn().mockImplementation(() => {
      order.push('reserve');
      return Promise.resolve('reserved');
    }),
    release: jest.fn().mockImplementation(() => Promise.resolve(void order.push('release'))),
    releaseDeleted: jest.fn().mockResolvedValue(undefined),
  };
  const accessTokens: jest.Mocked<Pick<AccessTokensService, 'issue' | 'verify'>> = {
    issue: jest.fn().mockResolvedValue({ token: 'access.jwt', expiresIn: 900 }),
    verify: jest.fn(),
  };
  const refreshTokens: jest.Mocked<
    Pick<RefreshTokensService, 'issue' | 'rotate' | 'endSessionOf'>
  > = {
    issue: jest.fn().mockResolvedValue({ sessionId: SESSION_ID, refreshToken: 'refresh-token' }),
    rotate: jest.fn(),
    endSessionOf: jest.fn().mockResolvedValue(undefined),
  };
  const events: jest.Mocked<Pick<EventPublisher, 'publish'>> = {
    publish: jest.fn().mockImplementation(() => {
      order.push('publish');
      return Promise.resolve({});
    }),
  };
  const tx = new FakeTransactionHost((step) => order.push(step));

  // The saga's log: each registration is on it from before the reservation until its commit.
  const registrations: jest.Mocked<
    Pick<RegistrationsInProgressRepository, 'start' | 'complete' | 'abandon' | 'forget'>
  > = {
    start: jest.fn().mockImplementation(() => Promise.resolve(void order.push('log'))),
    complete: jest.fn().mockImplementation(() => {
      order.push('unlog');
      return Promise.resolve(true);
    }),
    abandon: jest.fn().mockImplementation(() => {
      order.push('abandon');
      return Promise.resolve(true);
    }),
    forget: jest.fn().mockImplementation(() => Promise.resolve(void order.push('forget'))),
  };

  const limiter: jest.Mocked<
    Pick<
      AttemptLimiter,
      'consumeLoginAttempt' | 'recordLoginSuccess' | 'refundLoginAttempt' | 'consumeRegistration'
    >
  > = {
    consumeLoginAttempt: jest.fn().mockResolvedValue(undefined),
    recordLoginSuccess: jest.fn().mockResolvedValue(undefined),
    refundLoginAttempt: jest.fn().mockResolvedValue(undefined),
    consumeRegistration: jest.fn().mockResolvedValue(undefined),
  };

  const moduleRef = await Test.createTestingModule({
    providers: [
      AccountsService,
      { provide: AttemptLimiter, useValue: limiter },
      { provide: AccountsRepository, useValue: accounts },
      { provide: PasswordHasher, useValue: hasher },
      { provide: NicknameReservations, useValue: nicknames },
      { provide: AccessTokensService, useValue: accessTokens },
      { provide: RefreshTokensService, useValue: refreshTokens },
      { provide: EventPublisher, useValue: events },
      { provide: TransactionHost, useValue: tx },
      { provide: RegistrationsInProgressRepository, useValue: registrations },
    ],
  }).compile();
  moduleRef.useLogger(false);

  return {
    service: moduleRef.get(AccountsService),
    accounts,
    hasher,
    nicknames,
    events,
    order,
    limiter,
    refreshTokens,
    accessTokens,
    registrations,
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

describe('AccountsService', () => {
  describe('register', () => {
    it('reserves the nickname, then commits credentials and the event together', async () => {
      const { service, accounts, nicknames, events, order } = await setup();

      const tokens = await service.register(registration(), CLIENT);

      const userId = nicknames.reserve.mock.calls[0][0];
      expect(nicknames.reserve).toHaveBeenCalledWith(userId, 'alice_1');
      expect(accounts.insert).toHaveBeenCalledWith({
        userId,
        email: 'alice@example.test',
        passwordHash: '$argon2id$hash',
      });
      expect(events.publish).toHaveBeenCalledWith(
        Topics.UserRegistered,
        { userId, email: 'alice@example.test', nickname: 'alice_1' },
        { key: userId },
      );
      expect(order).toEqual(['log', 'reserve', 'begin', 'unlog', 'insert', 'publish', 'commit']);
      expect(tokens).toEqual({
        accessToken: 'access.jwt',
        refreshToken: 'refresh-token',
        expiresIn: 900,
        userId,
      });
      expect(nicknames.release).not.toHaveBeenCalled();
    });

    it('refuses a registered email before reserving anything', async () => {
      const { service, accounts, nicknames } = await setup();
      accounts.findByEmail.mockResolvedValue(credential());

      const error = await domainError(service.register(registration(), CLIENT));

      expect(error.code).toBe(ErrorCodes.AUTH_EMAIL_TAKEN);
      expect(accounts.findByEmail).toHaveBeenCalledWith('alice@example.test');
      expect(nicknames.reserve).not.toHaveBeenCalled();
    });

    it('answers NICKNAME_TAKEN and stores nothing when profile has the nickname', async () => {
      const { service, accounts, nicknames, events, registrations } = await setup();
      nicknames.reserve.mockResolvedValue('taken');

      const error = await domainError(service.register(registration(), CLIENT));

      expect(error).toMatchObject({ kind: 'ALREADY_EXISTS', code: ErrorCodes.AUTH_NICKNAME_TAKEN });
      expect(accounts.insert).not.toHaveBeenCalled();
      expect(events.publish).not.toHaveBeenCalled();
      // Profile reserved nothing: the registration leaves the log without a release.
      expect(nicknames.release).not.toHaveBeenCalled();
      expect(registrations.forget).toHaveBeenCalledWith(nicknames.reserve.mock.calls[0][0]);
    });

    it('releases nothing when profile was not called (circuit open), and answers UNAVAILABLE', async () => {
      const { service, nicknames, registrations } = await setup();
      nicknames.reserve.mockRejectedValue(new ProfileNotCalledError());

      const error = await domainError(service.register(registration(), CLIENT));

      expect(error).toMatchObject({ kind: 'UNAVAILABLE', code: ErrorCodes.UNAVAILABLE });
      expect(nicknames.release).not.toHaveBeenCalled();
      expect(registrations.forget).toHaveBeenCalledWith(nicknames.reserve.mock.calls[0][0]);
    });

    it('does not commit a registration the sweeper abandoned, and releases its nickname', async () => {
      const { service, accounts, events, nicknames, registrations } = await setup();
      registrations.complete.mockResolvedValue(false);

      const error = await domainError(service.register(registration(), CLIENT));

      expect(error).toMatchObject({ kind: 'UNAVAILABLE', code: ErrorCodes.UNAVAILABLE });
      expect(accounts.insert).not.toHaveBeenCalled();
      expect(events.publish).not.toHaveBeenCalled();
      expect(nicknames.release).toHaveBeenCalledWith(nicknames.reserve.mock.calls[0][0]);
    });

    it('releases nothing when the registration left the log after all (its commit answered late)', async () => {
      const { service, events, nicknames, registrations } = await setup();
      events.publish.mockRejectedValue(new Error('connection lost during commit'));
      registrations.abandon.mockResolvedValue(false);

      await expect(service.register(registration(), CLIENT)).rejects.toThrow('connection lost');
      expect(nicknames.release).not.toHaveBeenCalled();
      expect(registrations.forget).not.toHaveBeenCalled();
    });

    it('leaves the registration on the log for the sweeper when the release fails', async () => {
      const { service, accounts, nicknames, registrations } = await setup();
      accounts.insert.mockRejectedValue(emailTaken());
      nicknames.release.mockRejectedValue(new Error('profile down'));

      const error = await domainError(service.register(registration(), CLIENT));

      expect(error.code).toBe(ErrorCodes.AUTH_EMAIL_TAKEN);
      expect(registrations.abandon).toHaveBeenCalled();
      expect(registrations.forget).not.toHaveBeenCalled();
    });

    it('releases the reservation when the credentials cannot be stored, and rethrows', async () => {
      const { service, accounts, nicknames } = await setup();
      accounts.insert.mockRejectedValue(emailTaken());

      const error = await domainError(service.register(registration(), CLIENT));

      expect(error.code).toBe(ErrorCodes.AUTH_EMAIL_TAKEN);
      const userId = nicknames.reserve.mock.calls[0][0];
      expect(nicknames.release).toHaveBeenCalledWith(userId);
    });

    it('releases the reservation when publishing fails', async () => {
      const { service, events, nicknames } = await setup();
      events.publish.mockRejectedValue(new Error('outbox down'));

      await expect(service.register(registration(), CLIENT)).rejects.toThrow('outbox down');
      expect(nicknames.release).toHaveBeenCalledWith(nicknames.reserve.mock.calls[0][0]);
    });

    it('releases the reservation when the session cannot be started, and stores nothing', async () => {
      const { service, nicknames, refreshTokens, order } = await setup();
      refreshTokens.issue.mockRejectedValue(new Error('token table locked'));

      await expect(service.register(registration(), CLIENT)).rejects.toThrow('token table locked');
      // The failure is inside the transaction: credentials and event roll back with it.
      expect(order).toEqual([
        'log',
        'reserve',
        'begin',
        'unlog',
        'insert',
        'publish',
        'abandon',
        'release',
        'forget',
      ]);
      expect(nicknames.release).toHaveBeenCalledWith(nicknames.reserve.mock.calls[0][0]);
    });

    it('releases when the reservation outcome is unknown, and keeps the original error', async () => {
      const { service, nicknames, accounts } = await setup();
      const unavailable = new DomainError('UNAVAILABLE', ErrorCodes.UNAVAILABLE, 'profile down');
      nicknames.reserve.mockRejectedValue(unavailable);
      nicknames.release.mockRejectedValue(new Error('still down'));

      await expect(service.register(registration(), CLIENT)).rejects.toBe(unavailable);
      expect(nicknames.release).toHaveBeenCalled();
      expect(accounts.insert).not.toHaveBeenCalled();
    });
  });

  describe('registerExternal (OAuth)', () => {
    it('generates a nickname from the hint, retries a taken one, and links inside the transaction', async () => {
      const { service, nicknames, accounts, order } = await setup();
      nicknames.reserve.mockResolvedValueOnce('taken');
      const link = jest.fn().mockImplementation(() => Promise.resolve(void order.push('link')));

      await service.registerExternal('Bob@Example.test', 'bob-the.builder', link);

      const tried = nicknames.reserve.mock.calls.map(([, nickname]) => nickname);
      expect(tried).toHaveLength(2);
      for (const nickname of tried) expect(nickname).toMatch(/^bobthebuilder_[0-9a-f]{6}$/);
      const userId = nicknames.reserve.mock.calls[1][0];
      expect(accounts.insert).toHaveBeenCalledWith({
        userId,
        email: 'bob@example.test',
        passwordHash: null,
      });
      expect(link).toHaveBeenCalledWith(userId);
      expect(order).toEqual([
        'log',
        'reserve',
        'begin',
        'unlog',
        'insert',
        'link',
        'publish',
        'commit',
      ]);
    });

    it('releases the nickname when linking the identity fails', async () => {
      const { service, nicknames } = await setup();
      const link = jest.fn().mockRejectedValue(new Error('identity already linked'));

      await expect(service.registerExternal('bob@example.test', 'bob', link)).rejects.toThrow(
        'identity already linked',
      );
      expect(nicknames.release).toHaveBeenCalledWith(nicknames.reserve.mock.calls[0][0]);
    });
  });

  describe('abuse limits', () => {
    it('counts a registration against the email and the address before any work', async () => {
      const { service, limiter, nicknames } = await setup();
      limiter.consumeRegistration.mockRejectedValue(new RateLimitedError(42));

      const error = await domainError(service.register(registration(), CLIENT));

      expect(limiter.consumeRegistration).toHaveBeenCalledWith(
        'alice@example.test',
        CLIENT.address,
      );
      expect(error).toMatchObject({ kind: 'RESOURCE_EXHAUSTED', retryAfterSeconds: 42 });
      expect(nicknames.reserve).not.toHaveBeenCalled();
    });

    it('takes the attempt before checking the password, and refuses a throttled one unchecked', async () => {
      const { service, limiter, hasher, accounts } = await setup();
      accounts.findByEmail.mockResolvedValue(credential());
      limiter.consumeLoginAttempt.mockRejectedValue(new RateLimitedError(30));

      const error = await domainError(service.login('Alice@example.test', 'pw', CLIENT));

      expect(limiter.consumeLoginAttempt).toHaveBeenCalledWith(
        'alice@example.test',
        CLIENT.address,
      );
      expect(error).toMatchObject({ kind: 'RESOURCE_EXHAUSTED', retryAfterSeconds: 30 });
      expect(accounts.findByEmail).not.toHaveBeenCalled();
      expect(hasher.verify).not.toHaveBeenCalled();
    });

    it('keeps the attempt of an unknown email or a wrong password, and gives a correct one back', async () => {
      const { service, limiter, hasher, accounts } = await setup();
      await domainError(service.login('nobody@example.test', 'pw', CLIENT));
      accounts.findByEmail.mockResolvedValue(credential());
      hasher.verify.mockResolvedValueOnce(false);
      await domainError(service.login('alice@example.test', 'pw', CLIENT));

      expect(limiter.consumeLoginAttempt).toHaveBeenCalledTimes(2);
      expect(limiter.recordLoginSuccess).not.toHaveBeenCalled();
      expect(limiter.refundLoginAttempt).not.toHaveBeenCalled();

      await service.login('alice@example.test', 'right', CLIENT);
      expect(limiter.recordLoginSuccess).toHaveBeenCalledWith('alice@example.test', CLIENT.address);
    });

    it('gives the attempt back when no verdict on the password was reached', async () => {
      const { service, limiter, accounts } = await setup();
      const outage = new Error('database down');
      accounts.findByEmail.mockRejectedValue(outage);

      await expect(service.login('alice@example.test', 'pw', CLIENT)).rejects.toBe(outage);

      expect(limiter.refundLoginAttempt).toHaveBeenCalledWith('alice@example.test', CLIENT.address);
      expect(limiter.recordLoginSuccess).not.toHaveBeenCalled();
    });
  });

  describe('login', () => {
    it('issues tokens for the right password, matching the email case-insensitively', async () => {
      const { service, accounts, hasher } = await setup();
      accounts.findByEmail.mockResolvedValue(credential());

      const tokens = await service.login('ALICE@example.test', 'correct horse battery', CLIENT);

      expect(accounts.findByEmail).toHaveBeenCalledWith('alice@example.test');
      expect(hasher.verify).toHaveBeenCalledWith('$argon2id$hash', 'correct horse battery');
      expect(tokens.userId).toBe(credential().userId);
    });

    it('upgrades a hash made with weaker parameters, with the password just checked', async () => {
      const { service, accounts, hasher } = await setup();
      accounts.findByEmail.mockResolvedValue(credential({ passwordHash: '$argon2id$old' }));
      hasher.needsRehash.mockReturnValue(true);
      hasher.hash.mockResolvedValue('$argon2id$new');

      await service.login('alice@example.test', 'correct horse battery', CLIENT);

      expect(hasher.needsRehash).toHaveBeenCalledWith('$argon2id$old');
      expect(hasher.hash).toHaveBeenCalledWith('correct horse battery');
      expect(accounts.updatePasswordHash).toHaveBeenCalledWith(
        credential().userId,
        '$argon2id$old',
        '$argon2id$new',
      );
    });

    it('leaves a current hash alone, and still logs in when an upgrade fails', async () => {
      const { service, accounts, hasher } = await setup();
      accounts.findByEmail.mockResolvedValue(credential());
      await service.login('alice@example.test', 'correct horse battery', CLIENT);
      expect(accounts.updatePasswordHash).not.toHaveBeenCalled();

      hasher.needsRehash.mockReturnValue(true);
      accounts.updatePasswordHash.mockRejectedValue(new Error('db hiccup'));
      await expect(
        service.login('alice@example.test', 'correct horse battery', CLIENT),
      ).resolves.toMatchObject({ userId: credential().userId });
    });

    it('never rehashes on a wrong password', async () => {
      const { service, accounts, hasher } = await setup();
      accounts.findByEmail.mockResolvedValue(credential());
      hasher.verify.mockResolvedValue(false);
      hasher.needsRehash.mockReturnValue(true);

      await domainError(service.login('alice@example.test', 'wrong', CLIENT));
      expect(accounts.updatePasswordHash).not.toHaveBeenCalled();
    });

    it('refuses a wrong password with INVALID_CREDENTIALS', async () => {
      const { service, accounts, hasher } = await setup();
      accounts.findByEmail.mockResolvedValue(credential());
      hasher.verify.mockResolvedValue(false);

      const error = await domainError(service.login('alice@example.test', 'wrong', CLIENT));
      expect(error).toMatchObject({
        kind: 'UNAUTHENTICATED',
        code: ErrorCodes.AUTH_INVALID_CREDENTIALS,
      });
    });

    it('refuses an unknown email alike, after a dummy hash check', async () => {
      const { service, hasher } = await setup();

      const unknown = await domainError(service.login('nobody@example.test', 'whatever1', CLIENT));

      expect(hasher.verifyDummy).toHaveBeenCalledWith('whatever1');
      expect(unknown.code).toBe(ErrorCodes.AUTH_INVALID_CREDENTIALS);
      expect(unknown.message).toBe('Invalid email or password');
    });
  });

  describe('sessions', () => {
    it('signs the first access token with the new session as sid and the account roles', async () => {
      const { service, accounts, accessTokens, refreshTokens } = await setup();
      accounts.findByEmail.mockResolvedValue(credential());
      accounts.findForShare.mockResolvedValue(credential({ roles: ['user', 'admin'] }));

      const tokens = await service.login('alice@example.test', 'right', {
        ...CLIENT,
        userAgent: 'test-agent/1',
      });

      expect(refreshTokens.issue).toHaveBeenCalledWith(credential().userId, {
        ip: CLIENT.address,
        userAgent: 'test-agent/1',
      });
      expect(accessTokens.issue).toHaveBeenCalledWith({
        userId: credential().userId,
        email: 'alice@example.test',
        sessionId: SESSION_ID,
        roles: ['user', 'admin'],
      });
      expect(tokens.refreshToken).toBe('refresh-token');
    });

    it('refuses a suspended account only after its password proved right, starting no session', async () => {
      const { service, accounts, hasher, refreshTokens } = await setup();
      accounts.findByEmail.mockResolvedValue(credential());
      accounts.findForShare.mockResolvedValue(credential({ suspendedAt: new Date() }));

      hasher.verify.mockResolvedValueOnce(false);
      const wrong = await domainError(service.login('alice@example.test', 'wrong', CLIENT));
      expect(wrong.code).toBe(ErrorCodes.AUTH_INVALID_CREDENTIALS);

      const suspended = await domainError(service.login('alice@example.test', 'right', CLIENT));
      expect(suspended).toMatchObject({
        kind: 'UNAUTHENTICATED',
        code: ErrorCodes.AUTH_ACCOUNT_SUSPENDED,
      });
      expect(refreshTokens.issue).not.toHaveBeenCalled();
    });

    it('refreshes with the roles of now, and lets the rotation refuse a suspended or deleted account', async () => {
      const { service, accounts, accessTokens, refreshTokens } = await setup();
      refreshTokens.rotate.mockImplementation(async (_token, admit) => ({
        userId: credential().userId,
        sessionId: SESSION_ID,
        refreshToken: 'next-refresh-token',
        account: await admit(credential().userId),
      }));
      accounts.findForShare.mockResolvedValueOnce(credential({ roles: ['user', 'admin'] }));

      const tokens = await service.refresh('presented');

      expect(tokens).toMatchObject({
        refreshToken: 'next-refresh-token',
        accessToken: 'access.jwt',
      });
      expect(accessTokens.issue).toHaveBeenCalledWith(
        expect.objectContaining({ sessionId: SESSION_ID, roles: ['user', 'admin'] }),
      );

      accounts.findForShare.mockResolvedValueOnce(credential({ suspendedAt: new Date() }));
      const suspended = await domainError(service.refresh('presented'));
      expect(suspended.code).toBe(ErrorCodes.AUTH_ACCOUNT_SUSPENDED);

      accounts.findForShare.mockResolvedValueOnce(null);
      const deleted = await domainError(service.refresh('presented'));
      expect(deleted.code).toBe(ErrorCodes.AUTH_INVALID_TOKEN);
    });

    it('logout ends the session everywhere, as a logout', async () => {
      const { service, refreshTokens } = await setup();

      await service.logout('presented');

      expect(refreshTokens.endSessionOf).toHaveBeenCalledWith('presented', 'logout');
    });
  });
});
