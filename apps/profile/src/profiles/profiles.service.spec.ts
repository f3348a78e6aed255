import { Test } from '@nestjs/testing';
import { ErrorCodes } from '@app/contracts';
import { DomainError, TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { ProfileEntity } from './entities/profile.entity';
import { ProfilesRepository } from './profiles.repository';
import { ProfilesService } from './profiles.service';

const aProfile = (overrides: Partial<ProfileEntity> = {}): ProfileEntity =>
  Object.assign(new ProfileEntity(), {
    id: randomUUID(),
    nickname: 'alice_01',
    displayName: null,
    bio: null,
    avatarUrl: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  });

type RepoMock = jest.Mocked<
  Pick<
    ProfilesRepository,
    | 'findById'
    | 'findByIds'
    | 'findByNickname'
    | 'lockNickname'
    | 'insertIfAbsent'
    | 'deleteById'
    | 'findReservation'
    | 'upsertReservation'
    | 'deleteReservation'
  >
>;

const repoMock = (): RepoMock => ({
  findById: jest.fn().mockResolvedValue(null),
  findByIds: jest.fn().mockResolvedValue([]),
  findByNickname: jest.fn().mockResolvedValue(null),
  lockNickname: jest.fn().mockResolvedValue(undefined),
  insertIfAbsent: jest.fn().mockResolvedValue(true),
  deleteById: jest.fn().mockResolvedValue(undefined),
  findReservation: jest.fn().mockResolvedValue(null),
  upsertReservation: jest.fn().mockResolvedValue(true),
  deleteReservation: jest.fn().mockResolvedValue(undefined),
});

/** Expects `promise` to reject with a DomainError of `kind` and `code`. */
async function expectDomainError(
  promise: Promise<unknown>,
  kind: string,
  code: string,
): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect(error).toMatchObject({ kind, code });
}

describe('ProfilesService', () => {
  let service: ProfilesService;
  let repo: RepoMock;
  let tx: { run: jest.Mock };

  beforeEach(async () => {
    repo = repoMock();
    tx = { run: jest.fn((work: () => Promise<unknown>) => work()) };
    const moduleRef = await Test.createTestingModule({
      providers: [
        ProfilesService,
        { provide: ProfilesRepository, useValue: repo },
        { provide: TransactionHost, useValue: tx },
      ],
    }).compile();
    service = moduleRef.get(ProfilesService);
  });

  describe('reserveNickname', () => {
    it('holds a free nickname inside one transaction, under the nickname lock', async () => {
      const userId = randomUUID();
      await service.reserveNickname(userId, 'Alice_01');
      expect(tx.run).toHaveBeenCalledTimes(1);
      expect(repo.lockNickname).toHaveBeenCalledWith('Alice_01');
      expect(repo.upsertReservation).toHaveBeenCalledWith(userId, 'Alice_01');
    });

    it("refuses a nickname another user's profile has, in any letter case", async () => {
      repo.findByNickname.mockResolvedValue(aProfile({ nickname: 'alice_01' }));
      await expectDomainError(
        service.reserveNickname(randomUUID(), 'ALICE_01'),
        'ALREADY_EXISTS',
        ErrorCodes.PROFILE_NICKNAME_TAKEN,
      );
      expect(repo.upsertReservation).not.toHaveBeenCalled();
    });

    it("refuses when the unique index reports another user's reservation", async () => {
      repo.upsertReservation.mockResolvedValue(false);
      await expectDomainError(
        service.reserveNickname(randomUUID(), 'alice_01'),
        'ALREADY_EXISTS',
        ErrorCodes.PROFILE_NICKNAME_TAKEN,
      );
    });

    it('succeeds without a new reservation when the user already has the profile (late retry)', async () => {
      const profile = aProfile();
      repo.findByNickname.mockResolvedValue(profile);
      await service.reserveNickname(profile.id, profile.nickname);
      expect(repo.upsertReservation).not.toHaveBeenCalled();
    });

    it.each(['ab', 'a'.repeat(33), 'has space', 'émile', 'semi;colon', ''])(
      'rejects the malformed nickname %p before touching the database',
      async (nickname) => {
        await expectDomainError(
          service.reserveNickname(randomUUID(), nickname),
          'INVALID_ARGUMENT',
          ErrorCodes.VALIDATION_FAILED,
        );
        expect(tx.run).not.toHaveBeenCalled();
      },
    );

    it('rejects a user id that is not a UUID', async () => {
      await expectDomainError(
        service.reserveNickname('not-a-uuid', 'alice_01'),
        'INVALID_ARGUMENT',
        ErrorCodes.VALIDATION_FAILED,
      );
    });
  });

  describe('releaseNickname', () => {
    it("deletes the user's reservation", async () => {
      const userId = randomUUID();
      await service.releaseNickname(userId);
      expect(repo.deleteReservation).toHaveBeenCalledWith(userId);
    });
  });

  describe('getMany', () => {
    it('deduplicates ids before asking the repository', async () => {
      const id = randomUUID();
      await service.getMany([id, id.toUpperCase()]);
      expect(repo.findByIds).toHaveBeenCalledWith([id]);
    });

    it('refuses more than 500 ids', () => {
      const ids = Array.from({ length: 501 }, () => randomUUID());
      expect(() => service.getMany(ids)).toThrow(DomainError);
      expect(repo.findByIds).not.toHaveBeenCalled();
    });

    it('refuses an id that is not a UUID', () => {
      expect(() => service.getMany([randomUUID(), 'x'])).toThrow(/ids\[1\]/);
    });
  });

  describe('getOwn', () => {
    it('answers PROFILE.NOT_FOUND while the registration event is not consumed', async () => {
      await expectDomainError(
        service.getOwn(randomUUID()),
        'NOT_FOUND',
        ErrorCodes.PROFILE_NOT_FOUND,
      );
    });

    it('returns the profile once it exists', async () => {
      const profile = aProfile();
      repo.findById.mockResolvedValue(profile);
      await expect(service.getOwn(profile.id)).resolves.toBe(profile);
    });
  });

  describe('getByNickname', () => {
    it('answers null for a string that cannot be a nickname, without a query', async () => {
      await expect(service.getByNickname('no way')).resolves.toBeNull();
      expect(repo.findByNickname).not.toHaveBeenCalled();
    });
  });

  describe('createFromRegistration', () => {
    it('creates the profile and drops the reservation', async () => {
      const userId = randomUUID();
      await service.createFromRegistration(userId, 'alice_01');
      expect(repo.lockNickname).toHaveBeenCalledWith('alice_01');
      expect(repo.insertIfAbsent).toHaveBeenCalledWith({ id: userId, nickname: 'alice_01' });
      expect(repo.deleteReservation).toHaveBeenCalledWith(userId);
    });

    it('is harmless when the profile already exists (replayed event)', async () => {
      const profile = aProfile();
      repo.insertIfAbsent.mockResolvedValue(false);
      repo.findById.mockResolvedValue(profile);
      await expect(
        service.createFromRegistration(profile.id, profile.nickname),
      ).resolves.toBeUndefined();
      expect(repo.deleteReservation).toHaveBeenCalledWith(profile.id);
    });
  });

  describe('deleteAccount', () => {
    it('erases the profile and any reservation', async () => {
      const userId = randomUUID();
      await service.deleteAccount(userId);
      expect(repo.deleteById).toHaveBeenCalledWith(userId);
      expect(repo.deleteReservation).toHaveBeenCalledWith(userId);
    });
  });
});
