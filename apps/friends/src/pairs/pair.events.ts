/** A pending request between the two users of a pair. */
export interface PendingRequest {
  requestId: string;
  fromUserId: string;
  toUserId: string;
}

/**
 * What happened to a pair of users, as stored in the event store. The payloads are the
 * facts needed to rebuild the pair's state, nothing more; who acted is part of each fact.
 */
export type PairEvent =
  | ({ type: 'requested' } & PendingRequest)
  | ({ type: 'accepted' } & PendingRequest)
  | ({ type: 'declined' } & PendingRequest)
  /** Withdrawn by its sender, or voided because one of the two blocked the other. */
  | ({ type: 'cancelled' } & PendingRequest)
  | { type: 'removed'; userId: string; otherUserId: string }
  | { type: 'blocked'; userId: string; blockedUserId: string }
  | { type: 'unblocked'; userId: string; blockedUserId: string };

export type PairEventType = PairEvent['type'];

/** The current state of a pair: the fold of its events. */
export interface PairState {
  friends: boolean;
  pending: PendingRequest | null;
  /** The users of the pair who block the other one (none, one or both). */
  blockedBy: string[];
}

export const EMPTY_PAIR_STATE: PairState = { friends: false, pending: null, blockedBy: [] };

/** Applies one event to a state. Pure, so the same code replays history and handles commands. */
export function evolve(state: PairState, event: PairEvent): PairState {
  switch (event.type) {
    case 'requested':
      return {
        ...state,
        pending: {
          requestId: event.requestId,
          fromUserId: event.fromUserId,
          toUserId: event.toUserId,
        },
      };
    case 'accepted':
      return { ...state, pending: null, friends: true };
    case 'declined':
    case 'cancelled':
      return { ...state, pending: null };
    case 'removed':
      return { ...state, friends: false };
    case 'blocked':
      return { ...state, blockedBy: [...state.blockedBy, event.userId].sort() };
    case 'unblocked':
      return { ...state, blockedBy: state.blockedBy.filter((id) => id !== event.userId) };
  }
}

/** The state a history leads to. */
export function replay(events: readonly PairEvent[]): PairState {
  return events.reduce(evolve, EMPTY_PAIR_STATE);
}
