import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

/**
 * UNAVAILABLE without a call having been made: the circuit to profile is open, so profile
 * did nothing (a reservation refused this way needs no release).
 */
export class ProfileNotCalledError extends DomainError {
  constructor() {
    super(
      'UNAVAILABLE',
      ErrorCodes.UNAVAILABLE,
      'Registration is temporarily unavailable, try again',
    );
  }
}

/**
 * The registration saga's view of profile, which owns unique nicknames (and account
 * deletion's, which frees them). A port, so the accounts rules can be tested without a
 * gRPC server.
 */
export abstract class NicknameReservations {
  /**
   * Holds `nickname` for `userId`. Resolves `'taken'` when another user has it (compared
   * case-insensitively by profile). Throws a DomainError when profile refuses the nickname
   * as invalid, or UNAVAILABLE when the outcome is unknown (timeout, profile down) —
   * {@link ProfileNotCalledError} when profile was not even called.
   */
  abstract reserve(userId: string, nickname: string): Promise<'reserved' | 'taken'>;

  /** Frees the reservation of `userId` (compensation); idempotent. */
  abstract release(userId: string): Promise<void>;

  /**
   * Frees the nickname of an account auth has just deleted: profile erases the user at
   * once instead of when `auth.user.deleted.v1` arrives. Idempotent; throws UNAVAILABLE
   * when profile cannot be reached (the event still erases the user later).
   */
  abstract releaseDeleted(userId: string): Promise<void>;
}
