import { Test } from '@nestjs/testing';
import { ErrorCodes, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { DomainError, TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { pairKey } from '../common/pair';
import { FriendshipsRepository } from '../friendships/friendships.repository';
import { UsersRepository } from '../users/users.repository';
import { FriendRequestEntity } from './entities/friend-request.entity';
import { FriendRequestsRepository } from './friend-requests.repository';
import { FriendRequestsService } from './friend-requests.service';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const CAROL = '00000000-0000-4000-8000-00000000000c';

function aRequest(overrides: Partial<FriendRequestEntity> = {}): FriendRequestEntity {
  return Object.assign(new FriendRequestEntity(), {
    id: randomUUID(),
    fromUserId: ALICE,
    toUserId: BOB,
    status: 'pending',
    createdAt: new Date('2025-01-01T00:00:00.000Z'),
    updatedAt: new Date('2025-01-01T00:00:00.000Z'),
    ...overrides,
  });
}

async function expectDomainError(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
}

describe('FriendRequestsService', () => {
  let service: FriendRequestsService;
  let requests: jest.Mocked<FriendRequestsRepository>;
  let friendships: jest.Mocked<FriendshipsRepository>;
  let users: jest.Mocked<UsersRepository>;
  let events: jest.Mocked<EventPublisher>;
  let known: Set<string>;

  beforeEach(async () => {
    known = new Set([ALICE, BOB]);
    requests = {
      lockPair: jest.fn().mockResolvedValue(undefined),
      findById: jest.fn().mockResolvedValue(null),
      findPendingBetween: jest.fn().mockResolvedValue(null),
      insert: jest.fn((r: Partial<FriendRequestEntity>) => Promise.resolve(aRequest(r))),
      updateStatus: jest.fn((id: string, status: FriendRequestEntity['status']) =>
        Promise.resolve(aRequest({ id, status })),
      ),
      listPending: jest.fn().mockResolvedValue([]),
    } as unknown as jest.Mocked<FriendRequestsRepository>;
    friendships = {
      exists: jest.fn().mockResolvedValue(false),
      insertPair: jest.fn().mockResolvedValue(undefined),
    } as unknown as jest.Mocked<FriendshipsRepository>;
    users = {
      exists: jest.fn((id: string) => Promise.resolve(known.has(id))),
    } as unknown as jest.Mocked<UsersRepository>;
    events = { publish: jest.fn().mockResolvedValue(undefined) };
    const tx = { run: jest.fn((work: () => Promise<unknown>) => work()) };

    const moduleRef = await Test.createTestingModule({
      providers: [
        FriendRequestsService,
        { provide: TransactionHost, useValue: tx },
        { provide: FriendRequestsRepository, useValue: requests },
        { provide: FriendshipsRepository, useValue: friendships },
        { provide: UsersRepository, useValue: users },
        { provide: EventPublisher, useValue: events },
      ],
    }).compile();
    service = moduleRef.get(FriendRequestsService);
  });

  describe('send', () => {
    it('creates a pending request and announces it keyed by the pair', async () => {
      const request = await service.send(ALICE, BOB);

      expect(request).toMatchObject({ fromUserId: ALICE, toUserId: BOB, status: 'pending' });
      expect(requests.lockPair).toHaveBeenCalledWith(pairKey(ALICE, BOB));
      expect(events.publish).toHaveBeenCalledWith(
        Topics.FriendRequestSent,
        { requestId: request.id, fromUserId: ALICE, toUserId: BOB },
        { key: pairKey(ALICE, BOB) },
      );
    });

    it('refuses a request to yourself without touching the database', async () => {
      await expectDomainError(service.send(ALICE, ALICE), ErrorCodes.FRIENDS_SELF_REQUEST);
      expect(requests.insert).not.toHaveBeenCalled();
    });

    it('refuses a user the directory does not know', async () => {
      await expectDomainError(service.send(ALICE, CAROL), ErrorCodes.FRIENDS_USER_NOT_FOUND);
      expect(requests.insert).not.toHaveBeenCalled();
    });

    it('refuses a sender the directory does not know yet', async () => {
      known.delete(ALICE);
      await expectDomainError(service.send(ALICE, BOB), ErrorCodes.FRIENDS_USER_NOT_FOUND);
    });

    it('refuses users who are already friends', async () => {
      friendships.exists.mockResolvedValue(true);
      await expectDomainError(service.send(ALICE, BOB), ErrorCodes.FRIENDS_ALREADY_FRIENDS);
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('refuses a second request while the first is pending', async () => {
      requests.findPendingBetween.mockResolvedValue(aRequest({ fromUserId: ALICE, toUserId: BOB }));
      await expectDomainError(service.send(ALICE, BOB), ErrorCodes.FRIENDS_ALREADY_PENDING);
      expect(requests.insert).not.toHaveBeenCalled();
    });

    it('accepts the pending request the other way instead of creating a second one', async () => {
      const theirs = aRequest({ fromUserId: BOB, toUserId: ALICE });
      requests.findPendingBetween.mockResolvedValue(theirs);

      const result = await service.send(ALICE, BOB);

      expect(result).toMatchObject({ id: theirs.id, status: 'accepted' });
      expect(requests.insert).not.toHaveBeenCalled();
      expect(friendships.insertPair).toHaveBeenCalledWith(BOB, ALICE);
      expect(events.publish).toHaveBeenCalledTimes(1);
      expect(events.publish).toHaveBeenCalledWith(
        Topics.FriendRequestAccepted,
        { requestId: theirs.id, fromUserId: BOB, toUserId: ALICE },
        { key: pairKey(ALICE, BOB) },
      );
    });
  });

  describe('accept', () => {
    it('lets the addressee accept: friendship rows and the accepted event', async () => {
      const pending = aRequest();
      requests.findById.mockResolvedValue(pending);

      const result = await service.accept(BOB, pending.id);

      expect(result.status).toBe('accepted');
      expect(requests.updateStatus).toHaveBeenCalledWith(pending.id, 'accepted');
      expect(friendships.insertPair).toHaveBeenCalledWith(ALICE, BOB);
      expect(events.publish).toHaveBeenCalledWith(
        Topics.FriendRequestAccepted,
        { requestId: pending.id, fromUserId: ALICE, toUserId: BOB },
        { key: pairKey(ALICE, BOB) },
      );
    });

    it('tells the sender only the addressee may accept', async () => {
      const pending = aRequest();
      requests.findById.mockResolvedValue(pending);
      await expectDomainError(service.accept(ALICE, pending.id), ErrorCodes.FRIENDS_NOT_ADDRESSEE);
      expect(friendships.insertPair).not.toHaveBeenCalled();
    });

    it('hides a request from users who are neither side of it', async () => {
      const pending = aRequest();
      requests.findById.mockResolvedValue(pending);
      await expectDomainError(
        service.accept(CAROL, pending.id),
        ErrorCodes.FRIENDS_REQUEST_NOT_FOUND,
      );
    });

    it('answers not found for an unknown id', async () => {
      await expectDomainError(
        service.accept(BOB, randomUUID()),
        ErrorCodes.FRIENDS_REQUEST_NOT_FOUND,
      );
    });

    it('refuses a request that is no longer pending', async () => {
      requests.findById.mockResolvedValue(aRequest({ status: 'accepted' }));
      await expectDomainError(
        service.accept(BOB, randomUUID()),
        ErrorCodes.FRIENDS_REQUEST_NOT_PENDING,
      );
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('checks the status again under the pair lock (a concurrent accept may have won)', async () => {
      const pending = aRequest();
      requests.findById
        .mockResolvedValueOnce(pending)
        .mockResolvedValueOnce(aRequest({ id: pending.id, status: 'accepted' }));
      await expectDomainError(
        service.accept(BOB, pending.id),
        ErrorCodes.FRIENDS_REQUEST_NOT_PENDING,
      );
      expect(requests.lockPair).toHaveBeenCalledWith(pairKey(ALICE, BOB));
      expect(friendships.insertPair).not.toHaveBeenCalled();
    });
  });

  describe('listPending', () => {
    it('reads one row more than the page to know whether another page exists', async () => {
      const rows = [aRequest(), aRequest(), aRequest()];
      requests.listPending.mockResolvedValue(rows);

      const page = await service.listPending(BOB, 'incoming', { limit: 2 });

      expect(requests.listPending).toHaveBeenCalledWith(BOB, 'incoming', { limit: 2 });
      expect(page.items).toEqual(rows.slice(0, 2));
      expect(page.nextCursor).toEqual(expect.any(String));
    });

    it('rejects a cursor it did not make', async () => {
      await expectDomainError(
        service.listPending(BOB, 'incoming', { cursor: 'not-a-cursor' }),
        ErrorCodes.VALIDATION_FAILED,
      );
    });
  });
});
