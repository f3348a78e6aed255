import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';
import { FriendshipPair } from './friendship-pair.aggregate';
import { PairEvent, replay } from './pair.events';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const REQ = '11111111-1111-4111-8111-111111111111';
const REQ2 = '22222222-2222-4222-8222-222222222222';

/** A pair rebuilt from `history`, the way the store would load it. */
function pairAfter(...history: PairEvent[]): FriendshipPair {
  return FriendshipPair.restore(ALICE, BOB, replay(history), history.length);
}

const requested: PairEvent = {
  type: 'requested',
  requestId: REQ,
  fromUserId: ALICE,
  toUserId: BOB,
};
const accepted: PairEvent = { type: 'accepted', requestId: REQ, fromUserId: ALICE, toUserId: BOB };

function codeOf(run: () => void): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('FriendshipPair', () => {
  it('is identified by the sorted pair, whichever user comes first', () => {
    expect(FriendshipPair.start(BOB, ALICE).id).toBe(`${ALICE}:${BOB}`);
    expect(FriendshipPair.start(BOB, ALICE)).toMatchObject({ userLow: ALICE, userHigh: BOB });
  });

  describe('request', () => {
    it('records a request on a fresh pair', () => {
      const pair = FriendshipPair.start(ALICE, BOB);
      pair.request(ALICE, BOB, REQ);
      expect(pair.changes).toEqual([requested]);
      expect(pair.state.pending).toEqual({ requestId: REQ, fromUserId: ALICE, toUserId: BOB });
    });

    it('turns a request back into acceptance of the one already pending', () => {
      const pair = pairAfter(requested);
      pair.request(BOB, ALICE, REQ2);
      expect(pair.changes).toEqual([accepted]);
      expect(pair.state).toEqual({ friends: true, pending: null, blockedBy: [] });
    });

    it.each<[string, PairEvent[], string]>([
      ['a second request while pending', [requested], ErrorCodes.FRIENDS_ALREADY_PENDING],
      ['a request between friends', [requested, accepted], ErrorCodes.FRIENDS_ALREADY_FRIENDS],
      [
        'a request to someone who blocks you',
        [{ type: 'blocked', userId: BOB, blockedUserId: ALICE }],
        ErrorCodes.FRIENDS_BLOCKED,
      ],
      [
        'a request to someone you block',
        [{ type: 'blocked', userId: ALICE, blockedUserId: BOB }],
        ErrorCodes.FRIENDS_BLOCKED,
      ],
    ])('refuses %s', (_case, history, code) => {
      const pair = pairAfter(...history);
      expect(codeOf(() => pair.request(ALICE, BOB, REQ2))).toBe(code);
      expect(pair.changes).toEqual([]);
    });

    it('allows asking again after a decline', () => {
      const pair = pairAfter(requested, { ...requested, type: 'declined' });
      pair.request(ALICE, BOB, REQ2);
      expect(pair.changes).toEqual([{ ...requested, requestId: REQ2 }]);
    });
  });

  describe('accept and decline', () => {
    it('lets the addressee accept', () => {
      const pair = pairAfter(requested);
      pair.accept(BOB, REQ);
      expect(pair.changes).toEqual([accepted]);
      expect(pair.state.friends).toBe(true);
    });

    it('lets the addressee decline; nobody becomes friends', () => {
      const pair = pairAfter(requested);
      pair.decline(BOB, REQ);
      expect(pair.changes).toEqual([{ ...requested, type: 'declined' }]);
      expect(pair.state).toEqual({ friends: false, pending: null, blockedBy: [] });
    });

    it('refuses the sender', () => {
      expect(codeOf(() => pairAfter(requested).accept(ALICE, REQ))).toBe(
        ErrorCodes.FRIENDS_NOT_ADDRESSEE,
      );
      expect(codeOf(() => pairAfter(requested).decline(ALICE, REQ))).toBe(
        ErrorCodes.FRIENDS_NOT_ADDRESSEE,
      );
    });

    it('refuses a request that is no longer the pending one', () => {
      expect(codeOf(() => pairAfter(requested, accepted).accept(BOB, REQ))).toBe(
        ErrorCodes.FRIENDS_REQUEST_NOT_PENDING,
      );
      expect(codeOf(() => pairAfter(requested).decline(BOB, REQ2))).toBe(
        ErrorCodes.FRIENDS_REQUEST_NOT_PENDING,
      );
    });
  });

  describe('unfriend', () => {
    it('ends a friendship, by either side', () => {
      const pair = pairAfter(requested, accepted);
      pair.unfriend(BOB, ALICE);
      expect(pair.changes).toEqual([{ type: 'removed', userId: BOB, otherUserId: ALICE }]);
      expect(pair.state.friends).toBe(false);
    });

    it("withdraws the caller's own pending request", () => {
      const pair = pairAfter(requested);
      pair.unfriend(ALICE, BOB);
      expect(pair.changes).toEqual([{ ...requested, type: 'cancelled' }]);
    });

    it('is "not friends" for the addressee of a pending request and for strangers', () => {
      expect(codeOf(() => pairAfter(requested).unfriend(BOB, ALICE))).toBe(
        ErrorCodes.FRIENDS_NOT_FRIENDS,
      );
      expect(codeOf(() => pairAfter().unfriend(ALICE, BOB))).toBe(ErrorCodes.FRIENDS_NOT_FRIENDS);
    });
  });

  describe('block and unblock', () => {
    it('ends the friendship, then blocks', () => {
      const pair = pairAfter(requested, accepted);
      pair.block(ALICE, BOB);
      expect(pair.changes).toEqual([
        { type: 'removed', userId: ALICE, otherUserId: BOB },
        { type: 'blocked', userId: ALICE, blockedUserId: BOB },
      ]);
      expect(pair.state).toEqual({ friends: false, pending: null, blockedBy: [ALICE] });
    });

    it('cancels a pending request in either direction', () => {
      const pair = pairAfter(requested);
      pair.block(BOB, ALICE);
      expect(pair.changes).toEqual([
        { ...requested, type: 'cancelled' },
        { type: 'blocked', userId: BOB, blockedUserId: ALICE },
      ]);
    });

    it('lets both block each other, and each lift only their own block', () => {
      const pair = pairAfter({ type: 'blocked', userId: BOB, blockedUserId: ALICE });
      pair.block(ALICE, BOB);
      expect(pair.state.blockedBy).toEqual([ALICE, BOB]);
      pair.unblock(BOB, ALICE);
      expect(pair.state.blockedBy).toEqual([ALICE]);
      expect(codeOf(() => pair.unblock(BOB, ALICE))).toBe(ErrorCodes.FRIENDS_NOT_BLOCKED);
    });

    it('refuses blocking twice', () => {
      const pair = pairAfter({ type: 'blocked', userId: ALICE, blockedUserId: BOB });
      expect(codeOf(() => pair.block(ALICE, BOB))).toBe(ErrorCodes.FRIENDS_ALREADY_BLOCKED);
    });

    it('does not restore the friendship on unblock', () => {
      const pair = pairAfter(requested, accepted);
      pair.block(ALICE, BOB);
      pair.unblock(ALICE, BOB);
      expect(pair.state).toEqual({ friends: false, pending: null, blockedBy: [] });
    });
  });

  it('keeps the state equal to the replay of its history, version by version', () => {
    const pair = FriendshipPair.start(ALICE, BOB);
    pair.request(ALICE, BOB, REQ);
    pair.accept(BOB, REQ);
    pair.block(BOB, ALICE);
    pair.unblock(BOB, ALICE);
    pair.request(BOB, ALICE, REQ2);
    expect(pair.changes.map((e) => e.type)).toEqual([
      'requested',
      'accepted',
      'removed',
      'blocked',
      'unblocked',
      'requested',
    ]);
    expect(replay(pair.changes)).toEqual(pair.state);
    expect(pair.version).toBe(0);
  });

  it('is a programming error to run a command for users outside the pair', () => {
    expect(() => FriendshipPair.start(ALICE, BOB).request(ALICE, REQ, REQ2)).toThrow(/is not pair/);
  });
});
