import { Injectable, Logger } from '@nestjs/common';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { UsersRepository } from './users.repository';

/**
 * Keeps the user directory in step with auth. friends never asks auth whether a user
 * exists; it knows from the events, which is why a just-registered user may be unknown
 * here for a moment.
 */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly idempotencyKeys: IdempotencyRepository,
  ) {}

  async registered(userId: string): Promise<void> {
    await this.users.insertIfMissing(userId);
  }

  /**
   * Erases the user and, through the schema's cascades, every request, friendship, block
   * and pair history of theirs, on both sides; and the answers kept for their
   * `Idempotency-Key`s, which hold the same data.
   */
  async deleted(userId: string): Promise<void> {
    await this.users.delete(userId);
    await this.idempotencyKeys.deleteAllOf(userId);
    this.logger.log({ userId }, 'User erased from the friends directory');
  }
}
