import { Test } from '@nestjs/testing';
import { ErrorCodes, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { DomainError, TransactionHost } from '@app/platform';
import { NicknameReservations } from '../profile-client/nickname-reservations';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { emailTaken } from './accounts.errors';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { CredentialEntity } from './entities/credential.entity';
import { PasswordHasher } from './password-hasher';
import { AttemptLimiter } from '../rate-limit/attempt-limiter';
import { RateLimitedError } from '../rate-limit/rate-limit.errors';

const CLIENT = { address: '203.0.113.9' };

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
    createdAt: new Date(),
    updatedAt: new Date(),
    ...overrides,
  });

async function setup() {
  const order: string[] = [];
  const accounts: jest.Mocked<
    Pick<AccountsRepository, 'insert' | 'findByEmail' | 'findById' | 'updatePasswordHash'>
  > = {
    insert: jest.fn().mockImplementation(() => Promise.resolve(void order.push('insert'))),
    findByEmail: jest.fn().mockResolvedValue(null),
    findById: jest.fn().mockResolvedValue(null),
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
  };
  const accessTokens: jest.Mocked<Pick<AccessTokensService, 'issue' | 'verify'>> = {
    issue: jest.fn().mockResolvedValue({ token: 'access.jwt', expiresIn: 900 }),
    verify: jest.fn(),
  };
  const refreshTokens: jest.Mocked<
    Pick<RefreshTokensService, 'issue' | 'rotate' | 'revokeFamilyOf'>
  > = {
    issue: jest.fn().mockResolvedValue('refresh-token'),
    rotate: jest.fn(),
    revokeFamilyOf: jest.fn(),
  };
  const events: jest.Mocked<Pick<EventPublisher, 'publish'>> = {
    publish: jest.fn().mockImplementation(() => {
      order.push('publish');
      return Promise.resolve({});
    }),
  };
  const tx: Pick<TransactionHost, 'run'> = {
    run: jest.fn().mockImplementation(async <T>(work: () => Promise<T>) => {
      order.push('begin');
      const result = await work();
      order.push('commit');
      return result;
    }) as TransactionHost['run'],
  };

  const limiter: jest.Mocked<
    Pick<
      AttemptLimiter,
      'assertLoginAllowed' | 'recordLoginFailure' | 'recordLoginSuccess' | 'consumeRegistration'
    >
  > = {
    assertLoginAllowed: jest.fn().mockResolvedValue(undefined),
    recordLoginFailure: jest.fn().mockResolvedValue(undefined),
    recordLoginSuccess: jest.fn().mockResolvedValue(undefined),
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
      expect(order).toEqual(['reserve', 'begin', 'insert', 'publish', 'commit']);
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
      const { service, accounts, nicknames, events } = await setup();
      nicknames.reserve.mockResolvedValue('taken');

      const error = await domainError(service.register(registration(), CLIENT));

      expect(error).toMatchObject({ kind: 'ALREADY_EXISTS', code: ErrorCodes.AUTH_NICKNAME_TAKEN });
      expect(accounts.insert).not.toHaveBeenCalled();
      expect(events.publish).not.toHaveBeenCalled();
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
      expect(order).toEqual(['reserve', 'begin', 'insert', 'publish', 'release']);
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
      expect(order).toEqual(['reserve', 'begin', 'insert', 'link', 'publish', 'commit']);
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

    it('refuses a throttled login before checking the password', async () => {
      const { service, limiter, hasher, accounts } = await setup();
      accounts.findByEmail.mockResolvedValue(credential());
      limiter.assertLoginAllowed.mockRejectedValue(new RateLimitedError(30));

      const error = await domainError(service.login('alice@example.test', 'pw', CLIENT));

      expect(error.kind).toBe('RESOURCE_EXHAUSTED');
      expect(hasher.verify).not.toHaveBeenCalled();
    });

    it('counts unknown emails and wrong passwords alike as failures, and forgives on success', async () => {
      const { service, limiter, hasher, accounts } = await setup();
      await domainError(service.login('nobody@example.test', 'pw', CLIENT));
      accounts.findByEmail.mockResolvedValue(credential());
      hasher.verify.mockResolvedValueOnce(false);
      await domainError(service.login('alice@example.test', 'pw', CLIENT));

      expect(limiter.recordLoginFailure.mock.calls).toEqual([
        ['nobody@example.test', CLIENT.address],
        ['alice@example.test', CLIENT.address],
      ]);
      expect(limiter.recordLoginSuccess).not.toHaveBeenCalled();

      await service.login('alice@example.test', 'right', CLIENT);
      expect(limiter.recordLoginSuccess).toHaveBeenCalledWith('alice@example.test');
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
});
