/** How two users relate, as far as starting a direct chat is concerned. */
export interface Friendship {
  /** The two users have a confirmed friendship. */
  friends: boolean;
  /** Either user blocks the other. */
  blocked: boolean;
}

/**
 * messenger's view of friends, which owns friendships. A port, so the chat rules can be
 * tested without a gRPC server and so a circuit breaker and a local replica of
 * friendships (fed by `friends.*` events) can slot in behind it later.
 */
export abstract class FriendshipChecker {
  /**
   * The relation between `userId` and `otherUserId` (order does not matter). Throws a
   * DomainError UNAVAILABLE when friends cannot answer in time.
   */
  abstract check(userId: string, otherUserId: string): Promise<Friendship>;
}
