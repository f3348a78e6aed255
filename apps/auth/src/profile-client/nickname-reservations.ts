/**
 * The registration saga's view of profile, which owns unique nicknames. A port, so the
 * accounts rules can be tested without a gRPC server.
 */
export abstract class NicknameReservations {
  /**
   * Holds `nickname` for `userId`. Resolves `'taken'` when another user has it (compared
   * case-insensitively by profile). Throws a DomainError when profile refuses the nickname
   * as invalid, or UNAVAILABLE when the outcome is unknown (timeout, profile down).
   */
  abstract reserve(userId: string, nickname: string): Promise<'reserved' | 'taken'>;

  /** Frees the reservation of `userId` (compensation); idempotent. */
  abstract release(userId: string): Promise<void>;
}
