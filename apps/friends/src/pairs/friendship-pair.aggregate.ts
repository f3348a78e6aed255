import { pairId } from '@app/contracts';
import { PairErrors } from './pair.errors';
import { EMPTY_PAIR_STATE, evolve, PairEvent, PairState, PendingRequest } from './pair.events';

/**
 * The aggregate: everything between two users (request, friendship, blocks) with the
 * rules that change it. Commands check the rules against the current state and record
 * new events; nothing here touches a database, so every rule is unit-testable.
 *
 * `version` is the number of events the state was built from. The store appends the new
 * events as `version + 1 …` and refuses if another writer got there first (optimistic
 * concurrency: two commands decided on the same state cannot both commit).
 */
export class FriendshipPair {
  private readonly recorded: PairEvent[] = [];
  private current: PairState;

  private constructor(
    readonly id: string,
    readonly userLow: string,
    readonly userHigh: string,
    state: PairState,
    /** The version the state was loaded at; what the store expects to still be current. */
    readonly version: number,
  ) {
    this.current = state;
  }

  /** A pair with no history yet. */
  static start(a: string, b: string): FriendshipPair {
    const [low, high] = a < b ? [a, b] : [b, a];
    return new FriendshipPair(pairId(a, b), low, high, EMPTY_PAIR_STATE, 0);
  }

  /** A pair rebuilt from its stored state (snapshot) at `version`. */
  static restore(a: string, b: string, state: PairState, version: number): FriendshipPair {
    const [low, high] = a < b ? [a, b] : [b, a];
    return new FriendshipPair(pairId(a, b), low, high, state, version);
  }

  get state(): PairState {
    return this.current;
  }

  /** Events recorded by commands since load, oldest first. */
  get changes(): readonly PairEvent[] {
    return this.recorded;
  }

  /**
   * `fromUserId` asks the other to be friends. A request the other way already pending
   * means the same thing, so it is accepted instead.
   */
  request(fromUserId: string, toUserId: string, newRequestId: string): void {
    this.assertMember(fromUserId, toUserId);
    if (this.current.blockedBy.length > 0) throw PairErrors.blocked();
    if (this.current.friends) throw PairErrors.alreadyFriends();
    const pending = this.current.pending;
    if (pending?.fromUserId === fromUserId) throw PairErrors.alreadyPending();
    if (pending) {
      this.record({ type: 'accepted', ...pending });
      return;
    }
    this.record({ type: 'requested', requestId: newRequestId, fromUserId, toUserId });
  }

  /** The addressee confirms the pending request `requestId`. */
  accept(userId: string, requestId: string): void {
    this.record({ type: 'accepted', ...this.pendingFor(userId, requestId) });
  }

  /** The addressee turns the pending request `requestId` down. */
  decline(userId: string, requestId: string): void {
    this.record({ type: 'declined', ...this.pendingFor(userId, requestId) });
  }

  /**
   * `userId` ends what they started with the other: the friendship, or else their own
   * pending request (withdrawn). Anything else is "not friends".
   */
  unfriend(userId: string, otherUserId: string): void {
    this.assertMember(userId, otherUserId);
    if (this.current.friends) {
      this.record({ type: 'removed', userId, otherUserId });
      return;
    }
    const pending = this.current.pending;
    if (pending?.fromUserId === userId) {
      this.record({ type: 'cancelled', ...pending });
      return;
    }
    throw PairErrors.notFriends();
  }

  /** `userId` blocks the other: the friendship ends and any pending request is voided. */
  block(userId: string, blockedUserId: string): void {
    this.assertMember(userId, blockedUserId);
    if (this.current.blockedBy.includes(userId)) throw PairErrors.alreadyBlocked();
    if (this.current.friends) this.record({ type: 'removed', userId, otherUserId: blockedUserId });
    if (this.current.pending) this.record({ type: 'cancelled', ...this.current.pending });
    this.record({ type: 'blocked', userId, blockedUserId });
  }

  /** `userId` lifts their block. Friendship does not come back; a new request is needed. */
  unblock(userId: string, blockedUserId: string): void {
    this.assertMember(userId, blockedUserId);
    if (!this.current.blockedBy.includes(userId)) throw PairErrors.notBlocked();
    this.record({ type: 'unblocked', userId, blockedUserId });
  }

  private pendingFor(userId: string, requestId: string): PendingRequest {
    const pending = this.current.pending;
    if (!pending || pending.requestId !== requestId) throw PairErrors.notPending();
    if (pending.toUserId !== userId) throw PairErrors.notAddressee();
    return pending;
  }

  private record(event: PairEvent): void {
    this.current = evolve(this.current, event);
    this.recorded.push(event);
  }

  /** A programming error, not a user's: the service loaded the wrong pair. */
  private assertMember(a: string, b: string): void {
    if (pairId(a, b) !== this.id) throw new Error(`(${a}, ${b}) is not pair ${this.id}`);
  }
}
