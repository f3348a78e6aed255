import { Test } from '@nestjs/testing';
import { ErrorCodes, FRIENDSHIP_REVOKED_CHANNEL, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { DomainError, FakeTransactionHost, REDIS_CLIENT, TransactionHost } from '@app/platform';
import { FriendshipPair } from './friendship-pair.aggregate';
import { PairStoreRepository } from './pair-store.repository';
import { replay } from './pair.events';
import { PairsService } from './pairs.service';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const REQ = '11111111-1111-4111-8111-111111111111';
const KEY = `${ALICE}:${BOB}`;

/** Alice and Bob as friends: Alice asked, Bob accepted (pair version 2). */
const friends = () =>
  FriendshipPair.restore(
    ALICE,
    BOB,
    replay([
      { type: 'requested', requestId: REQ, fromUserId: ALICE, toUserId: BOB },
      { type: 'accepted', requestId: REQ, fromUserId: ALICE, toUserId: BOB },
    ]),
    2,
  );

describe('PairsService', () => {
  let service: PairsService;
  let store: jest.Mocked<PairStoreRepository>;
  let events: jest.Mocked<EventPublisher>;
  let announced: string[];
  let tx: FakeTransactionHost;
  let redis: { publish: jest.Mock };

  beforeEach(async () => {
    announced = [];
    // Redis answers a moment later; what is announced counts once it has answered.
    redis = {
      publish: jest.fn((channel: string, message: string) => {
        const commits = tx.commits;
        return new Promise((resolve) =>
          setTimeout(() => {
            announced.push(`${channel} ${message} after commit ${commits}`);
            resolve(1);
          }, 5),
        );
      }),
    };
    store = {
      load: jest.fn((a: string, b: string) => Promise.resolve(FriendshipPair.start(a, b))),
      save: jest.fn().mockResolvedValue(undefined),
    } as unknown as jest.Mocked<PairStoreRepository>;
    events = { publish: jest.fn().mockResolvedValue(undefined) };
    tx = new FakeTransactionHost();
    const moduleRef = await Test.createTestingModule({
      providers: [
        PairsService,
        { provide: TransactionHost, useValue: tx },
        { provide: PairStoreRepository, useValue: store },
        { provide: EventPublisher, useValue: events },
        { provide: REDIS_CLIENT, useValue: redis },
      ],
    }).compile();
    service = moduleRef.get(PairsService);
  });

  it('saves the new events and publishes each, keyed by the pair, numbered by pair version', async () => {
    store.load.mockResolvedValue(friends());

    const pair = await service.change(BOB, ALICE, (p) => p.block(BOB, ALICE));

    expect(store.save).toHaveBeenCalledWith(pair);
    expect(events.publish.mock.calls).toEqual([
      [Topics.FriendshipRemoved, { userId: BOB, otherUserId: ALICE, pairVersion: 3 }, { key: KEY }],
      [Topics.UserBlocked, { userId: BOB, blockedUserId: ALICE, pairVersion: 4 }, { key: KEY }],
    ]);
    // Messenger has heard of the block, once committed, before the caller hears back.
    expect(announced).toEqual([`${FRIENDSHIP_REVOKED_CHANNEL} ${KEY} after commit 1`]);
  });

  it('still answers when the announcement fails: the change is committed', async () => {
    redis.publish.mockRejectedValueOnce(new Error('Connection is closed.'));
    store.load.mockResolvedValue(friends());

    await expect(service.change(ALICE, BOB, (p) => p.unfriend(ALICE, BOB))).resolves.toBeDefined();
    expect(redis.publish).toHaveBeenCalledTimes(1);
    expect(announced).toEqual([]);
  });

  it('announces nothing for changes that take no friendship away', async () => {
    await service.change(ALICE, BOB, (p) => p.request(ALICE, BOB, REQ));
    expect(announced).toEqual([]);
  });

  const pendingHistory = [
    { type: 'requested' as const, requestId: REQ, fromUserId: ALICE, toUserId: BOB },
  ];
  const request = { requestId: REQ, fromUserId: ALICE, toUserId: BOB };
  it.each([
    ['a request', [], (p: FriendshipPair) => p.request(ALICE, BOB, REQ), Topics.FriendRequestSent],
    [
      'an accept',
      pendingHistory,
      (p: FriendshipPair) => p.accept(BOB, REQ),
      Topics.FriendRequestAccepted,
    ],
    [
      'a decline',
      pendingHistory,
      (p: FriendshipPair) => p.decline(BOB, REQ),
      Topics.FriendRequestDeclined,
    ],
    [
      'a withdrawal',
      pendingHistory,
      (p: FriendshipPair) => p.unfriend(ALICE, BOB),
      Topics.FriendRequestCancelled,
    ],
  ])('publishes %s on %s', async (_case, history, command, topic) => {
    store.load.mockResolvedValue(
      FriendshipPair.restore(ALICE, BOB, replay(history), history.length),
    );
    await service.change(ALICE, BOB, command);
    expect(events.publish.mock.calls).toEqual([
      [topic, { ...request, pairVersion: history.length + 1 }, { key: KEY }],
    ]);
  });

  it('publishes an unblock', async () => {
    store.load.mockResolvedValue(
      FriendshipPair.restore(
        ALICE,
        BOB,
        replay([{ type: 'blocked', userId: ALICE, blockedUserId: BOB }]),
        1,
      ),
    );
    await service.change(ALICE, BOB, (p) => p.unblock(ALICE, BOB));
    expect(events.publish.mock.calls).toEqual([
      [Topics.UserUnblocked, { userId: ALICE, blockedUserId: BOB, pairVersion: 2 }, { key: KEY }],
    ]);
  });

  it('neither saves nor publishes when the aggregate refuses', async () => {
    const error = await service
      .change(ALICE, BOB, (p) => p.unfriend(ALICE, BOB))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCodes.FRIENDS_NOT_FRIENDS);
    expect(store.save).not.toHaveBeenCalled();
    expect(events.publish).not.toHaveBeenCalled();
  });

  it('publishes nothing when the store reports a concurrent update', async () => {
    store.save.mockRejectedValue(
      new DomainError('FAILED_PRECONDITION', ErrorCodes.FRIENDS_CONCURRENT_UPDATE, 'x'),
    );
    await expect(service.change(ALICE, BOB, (p) => p.request(ALICE, BOB, REQ))).rejects.toThrow(
      DomainError,
    );
    expect(events.publish).not.toHaveBeenCalled();
  });
});
