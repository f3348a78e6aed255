import { Test } from '@nestjs/testing';
import { ErrorCodes } from '@app/contracts';
import { DomainError, FakeTransactionHost, TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { FriendshipPair } from '../pairs/friendship-pair.aggregate';
import { replay } from '../pairs/pair.events';
import { PairsService } from '../pairs/pairs.service';
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
  let users: jest.Mocked<UsersRepository>;
  let pairs: { change: jest.Mock };
  /** The pair the fake PairsService hands to commands. */
  let pair: FriendshipPair;
  let known: Set<string>;

  beforeEach(async () => {
    known = new Set([ALICE, BOB, CAROL]);
    pair = FriendshipPair.start(ALICE, BOB);
    requests = {
      findById: jest.fn().mockResolvedValue(null),
      getById: jest.fn((id: string) => Promise.resolve(aRequest({ id }))),
      listPending: jest.fn().mockResolvedValue([]),
    } as unknown as jest.Mocked<FriendRequestsRepository>;
    users = {
      exists: jest.fn((id: string) => Promise.resolve(known.has(id))),
    } as unknown as jest.Mocked<UsersRepository>;
    // Runs the command on a real aggregate, so the service is tested with the real rules.
    pairs = {
      change: jest.fn((_a: string, _b: string, command: (p: FriendshipPair) => void) => {
        command(pair);
        return Promise.resolve(pair);
      }),
    };
    const tx = new FakeTransactionHost();

    const moduleRef = await Test.createTestingModule({
      providers: [
        FriendRequestsService,
        { provide: TransactionHost, useValue: tx },
        { provide: PairsService, useValue: pairs },
        { provide: FriendRequestsRepository, useValue: requests },
        { provide: UsersRepository, useValue: users },
      ],
    }).compile();
    service = moduleRef.get(FriendRequestsService);
  });

  describe('send', () => {
    it('records a request on the pair and returns it as stored', async () => {
      const request = await service.send(ALICE, BOB);

      expect(pairs.change).toHaveBeenCalledWith(ALICE, BOB, expect.any(Function));
      expect(pair.changes).toEqual([
        { type: 'requested', requestId: request.id, fromUserId: ALICE, toUserId: BOB },
      ]);
      expect(requests.getById).toHaveBeenCalledWith(request.id);
    });

    it('returns the counter-request it accepted', async () => {
      const theirs = '33333333-3333-4333-8333-333333333333';
      pair = FriendshipPair.restore(
        ALICE,
        BOB,
        replay([{ type: 'requested', requestId: theirs, fromUserId: BOB, toUserId: ALICE }]),
        1,
      );
      const result = await service.send(ALICE, BOB);
      expect(result.id).toBe(theirs);
      expect(pair.state.friends).toBe(true);
    });

    it('refuses a request to yourself without touching the pair', async () => {
      await expectDomainError(service.send(ALICE, ALICE), ErrorCodes.FRIENDS_SELF_REQUEST);
      expect(pairs.change).not.toHaveBeenCalled();
    });

    it('refuses a user the directory does not know, and a caller it does not know yet', async () => {
      known.delete(CAROL);
      await expectDomainError(service.send(ALICE, CAROL), ErrorCodes.FRIENDS_USER_NOT_FOUND);
      known.delete(ALICE);
      await expectDomainError(service.send(ALICE, BOB), ErrorCodes.FRIENDS_USER_NOT_FOUND);
      expect(pairs.change).not.toHaveBeenCalled();
    });
  });

  describe('accept and decline', () => {
    let pending: FriendRequestEntity;

    beforeEach(() => {
      pending = aRequest();
      requests.findById.mockResolvedValue(pending);
      pair = FriendshipPair.restore(
        ALICE,
        BOB,
        replay([{ type: 'requested', requestId: pending.id, fromUserId: ALICE, toUserId: BOB }]),
        1,
      );
    });

    it('lets the addressee accept', async () => {
      await service.accept(BOB, pending.id);
      expect(pair.changes).toEqual([
        { type: 'accepted', requestId: pending.id, fromUserId: ALICE, toUserId: BOB },
      ]);
    });

    it('lets the addressee decline', async () => {
      await service.decline(BOB, pending.id);
      expect(pair.changes.map((e) => e.type)).toEqual(['declined']);
    });

    it('tells the sender only the addressee may answer', async () => {
      await expectDomainError(service.accept(ALICE, pending.id), ErrorCodes.FRIENDS_NOT_ADDRESSEE);
      await expectDomainError(service.decline(ALICE, pending.id), ErrorCodes.FRIENDS_NOT_ADDRESSEE);
      expect(pairs.change).not.toHaveBeenCalled();
    });

    it('hides a request from users who are neither side of it', async () => {
      await expectDomainError(
        service.decline(CAROL, pending.id),
        ErrorCodes.FRIENDS_REQUEST_NOT_FOUND,
      );
    });

    it('answers not found for an unknown id', async () => {
      requests.findById.mockResolvedValue(null);
      await expectDomainError(
        service.accept(BOB, randomUUID()),
        ErrorCodes.FRIENDS_REQUEST_NOT_FOUND,
      );
    });

    it('refuses a request that is no longer pending', async () => {
      requests.findById.mockResolvedValue(aRequest({ id: pending.id, status: 'declined' }));
      await expectDomainError(
        service.accept(BOB, pending.id),
        ErrorCodes.FRIENDS_REQUEST_NOT_PENDING,
      );
      expect(pairs.change).not.toHaveBeenCalled();
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
