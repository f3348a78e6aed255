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
  const accounts: jest.Mocked<Pick<AccountsRepository, 'insert' | 'findByEmail' | 'findById'>> = {
    insert: jest.fn().mockImplementation(() => Promise.resolve(void order.push('insert'))),
    findByEmail: jest.fn().mockResolvedValue(null),
    findById: jest.fn().mockResolvedValue(null),
  };
  const hasher: jest.Mocked<Pick<PasswordHasher, 'hash' | 'verify' | 'verifyDummy'>> = {
    hash: jest.fn().mockResolvedValue('$argon2id$hash'),
    verify: jest.fn().mockResolvedValue(true),
    verifyDummy: jest.fn().mockResolvedValue(undefined),
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

  const moduleRef = await Test.createTestingModule({
    providers: [
      AccountsService,
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

      const tokens = await service.register(registration());

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

      const error = await domainError(service.register(registration()));

      expect(error.code).toBe(ErrorCodes.AUTH_EMAIL_TAKEN);
      expect(accounts.findByEmail).toHaveBeenCalledWith('alice@example.test');
      expect(nicknames.reserve).not.toHaveBeenCalled();
    });

    it('answers NICKNAME_TAKEN and stores nothing when profile has the nickname', async () => {
      const { service, accounts, nicknames, events } = await setup();
      nicknames.reserve.mockResolvedValue('taken');

      const error = await domainError(service.register(registration()));

      expect(error).toMatchObject({ kind: 'ALREADY_EXISTS', code: ErrorCodes.AUTH_NICKNAME_TAKEN });
      expect(accounts.insert).not.toHaveBeenCalled();
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('releases the reservation when the credentials cannot be stored, and rethrows', async () => {
      const { service, accounts, nicknames } = await setup();
      accounts.insert.mockRejectedValue(emailTaken());

      const error = await domainError(service.register(registration()));

      expect(error.code).toBe(ErrorCodes.AUTH_EMAIL_TAKEN);
      const userId = nicknames.reserve.mock.calls[0][0];
      expect(nicknames.release).toHaveBeenCalledWith(userId);
    });

    it('releases the reservation when publishing fails', async () => {
      const { service, events, nicknames } = await setup();
      events.publish.mockRejectedValue(new Error('outbox down'));

      await expect(service.register(registration())).rejects.toThrow('outbox down');
      expect(nicknames.release).toHaveBeenCalledWith(nicknames.reserve.mock.calls[0][0]);
    });

    it('releases when the reservation outcome is unknown, and keeps the original error', async () => {
      const { service, nicknames, accounts } = await setup();
      const unavailable = new DomainError('UNAVAILABLE', ErrorCodes.UNAVAILABLE, 'profile down');
      nicknames.reserve.mockRejectedValue(unavailable);
      nicknames.release.mockRejectedValue(new Error('still down'));

      await expect(service.register(registration())).rejects.toBe(unavailable);
      expect(nicknames.release).toHaveBeenCalled();
      expect(accounts.insert).not.toHaveBeenCalled();
    });
  });

  describe('login', () => {
    it('issues tokens for the right password, matching the email case-insensitively', async () => {
      const { service, accounts, hasher } = await setup();
      accounts.findByEmail.mockResolvedValue(credential());

      const tokens = await service.login('ALICE@example.test', 'correct horse battery');

      expect(accounts.findByEmail).toHaveBeenCalledWith('alice@example.test');
      expect(hasher.verify).toHaveBeenCalledWith('$argon2id$hash', 'correct horse battery');
      expect(tokens.userId).toBe(credential().userId);
    });

    it('refuses a wrong password with INVALID_CREDENTIALS', async () => {
      const { service, accounts, hasher } = await setup();
      accounts.findByEmail.mockResolvedValue(credential());
      hasher.verify.mockResolvedValue(false);

      const error = await domainError(service.login('alice@example.test', 'wrong'));
      expect(error).toMatchObject({
        kind: 'UNAUTHENTICATED',
        code: ErrorCodes.AUTH_INVALID_CREDENTIALS,
      });
    });

    it('refuses an unknown email alike, after a dummy hash check', async () => {
      const { service, hasher } = await setup();

      const unknown = await domainError(service.login('nobody@example.test', 'whatever1'));

      expect(hasher.verifyDummy).toHaveBeenCalledWith('whatever1');
      expect(unknown.code).toBe(ErrorCodes.AUTH_INVALID_CREDENTIALS);
      expect(unknown.message).toBe('Invalid email or password');
    });
  });
});
