import { Test } from '@nestjs/testing';
import { ErrorCodes, Topics } from '@app/contracts';
import { EventPublisher, OutboxErasure } from '@app/kafka';
import { DomainError, FakeTransactionHost, TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { FriendshipsService } from '../friendships/friendships.service';
import { ProfileUpdates } from '../live/profile-updates';
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
    | 'update'
    | 'isReservedByOther'
    | 'search'
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
  update: jest.fn().mockResolvedValue(true),
  isReservedByOther: jest.fn().mockResolvedValue(false),
  search: jest.fn().mockResolvedValue([]),
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
  let tx: FakeTransactionHost;
  let events: { publish: jest.Mock };
  let friendships: { forgetUser: jest.Mock };
  let outbox: { eraseUser: jest.Mock };
  let live: { publish: jest.Mock; subscribe: jest.Mock };

  beforeEach(async () => {
    repo = repoMock();
    tx = new FakeTransactionHost();
    jest.spyOn(tx, 'run');
    events = { publish: jest.fn().mockResolvedValue(undefined) };
    friendships = { forgetUser: jest.fn().mockResolvedValue(undefined) };
    outbox = { eraseUser: jest.fn().mockResolvedValue({ redacted: 0, withheld: 0 }) };
    live = { publish: jest.fn().mockResolvedValue(undefined), subscribe: jest.fn() };
    const moduleRef = await Test.createTestingModule({
      providers: [
        ProfilesService,
        { provide: ProfilesRepository, useValue: repo },
        { provide: TransactionHost, useValue: tx },
        { provide: EventPublisher, useValue: events },
        { provide: OutboxErasure, useValue: outbox },
        { provide: FriendshipsService, useValue: friendships },
        { provide: ProfileUpdates, useValue: live },
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
      await service.createFromRegistration(userId, 'alice_01', 'alice@example.test');
      expect(repo.lockNickname).toHaveBeenCalledWith('alice_01');
      expect(repo.insertIfAbsent).toHaveBeenCalledWith({
        id: userId,
        nickname: 'alice_01',
        email: 'alice@example.test',
      });
      expect(repo.deleteReservation).toHaveBeenCalledWith(userId);
    });

    it('is harmless when the profile already exists (replayed event)', async () => {
      const profile = aProfile();
      repo.insertIfAbsent.mockResolvedValue(false);
      repo.findById.mockResolvedValue(profile);
      await expect(
        service.createFromRegistration(profile.id, profile.nickname, 'alice@example.test'),
      ).resolves.toBeUndefined();
      expect(repo.deleteReservation).toHaveBeenCalledWith(profile.id);
    });
  });

  describe('deleteAccount', () => {
    it('erases the profile, any reservation and the personal fields of its outbox rows', async () => {
      const userId = randomUUID();
      await service.deleteAccount(userId);
      expect(repo.deleteById).toHaveBeenCalledWith(userId);
      expect(repo.deleteReservation).toHaveBeenCalledWith(userId);
      expect(friendships.forgetUser).toHaveBeenCalledWith(userId);
      expect(outbox.eraseUser).toHaveBeenCalledWith(userId, {
        [Topics.ProfileUpdated]: ['nickname', 'displayName', 'avatarUrl'],
      });
    });
  });

  describe('updateProfile', () => {
    it('applies the changes, publishes profile.profile.updated.v1 in the same transaction, then tells live subscribers', async () => {
      const before = aProfile();
      const after = aProfile({ id: before.id, nickname: 'Alice_02', displayName: 'Alice' });
      repo.findById.mockResolvedValueOnce(before).mockResolvedValueOnce(after);
      jest.mocked(tx.run).mockImplementation(async (work) => {
        const result = await work();
        expect(live.publish).not.toHaveBeenCalled(); // not before the commit
        return result;
      });

      await expect(
        service.updateProfile(before.id, { nickname: 'Alice_02', displayName: '  Alice ' }),
      ).resolves.toBe(after);

      expect(repo.lockNickname).toHaveBeenCalledWith('Alice_02');
      expect(repo.update).toHaveBeenCalledWith(before.id, {
        nickname: 'Alice_02',
        displayName: 'Alice',
      });
      expect(events.publish).toHaveBeenCalledWith(
        Topics.ProfileUpdated,
        { userId: before.id, nickname: 'Alice_02', displayName: 'Alice', avatarUrl: null },
        { key: before.id },
      );
      expect(live.publish).toHaveBeenCalledWith(after);
    });

    it("refuses a nickname another user's profile has, in any letter case, with CONFLICT", async () => {
      const me = aProfile({ nickname: 'me_me' });
      repo.findById.mockResolvedValue(me);
      repo.findByNickname.mockResolvedValue(aProfile({ nickname: 'taken_1' }));
      await expectDomainError(
        service.updateProfile(me.id, { nickname: 'TAKEN_1' }),
        'ALREADY_EXISTS',
        ErrorCodes.PROFILE_NICKNAME_TAKEN,
      );
      expect(repo.update).not.toHaveBeenCalled();
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('refuses a nickname held by a registration in progress', async () => {
      const me = aProfile({ nickname: 'me_me' });
      repo.findById.mockResolvedValue(me);
      repo.isReservedByOther.mockResolvedValue(true);
      await expectDomainError(
        service.updateProfile(me.id, { nickname: 'pending_1' }),
        'ALREADY_EXISTS',
        ErrorCodes.PROFILE_NICKNAME_TAKEN,
      );
    });

    it('lets a user change only the letter case of their own nickname', async () => {
      const me = aProfile({ nickname: 'alice_01' });
      repo.findById.mockResolvedValue(me);
      repo.findByNickname.mockResolvedValue(me);
      await service.updateProfile(me.id, { nickname: 'ALICE_01' });
      expect(repo.update).toHaveBeenCalledWith(me.id, { nickname: 'ALICE_01' });
    });

    it('turns a lost race on the unique index into CONFLICT', async () => {
      repo.findById.mockResolvedValue(aProfile());
      repo.update.mockResolvedValue(false);
      await expectDomainError(
        service.updateProfile(randomUUID(), { nickname: 'racer_1' }),
        'ALREADY_EXISTS',
        ErrorCodes.PROFILE_NICKNAME_TAKEN,
      );
    });

    it('answers NOT_FOUND while the profile does not exist yet', async () => {
      await expectDomainError(
        service.updateProfile(randomUUID(), { bio: 'hi' }),
        'NOT_FOUND',
        ErrorCodes.PROFILE_NOT_FOUND,
      );
    });

    it('reports every broken format rule at once, before touching the database', async () => {
      const error: unknown = await service
        .updateProfile(randomUUID(), {
          nickname: 'no spaces',
          displayName: 'x'.repeat(65),
          bio: 'y'.repeat(501),
          avatarUrl: 'http://example.com/a.png',
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'INVALID_ARGUMENT', code: ErrorCodes.VALIDATION_FAILED });
      expect((error as DomainError).details?.map((d) => d.field)).toEqual([
        'nickname',
        'displayName',
        'bio',
        'avatarUrl',
      ]);
      expect(tx.run).not.toHaveBeenCalled();
    });
  });
});
