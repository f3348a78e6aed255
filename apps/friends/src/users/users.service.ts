import { Injectable, Logger } from '@nestjs/common';
import { UsersRepository } from './users.repository';

/**
 * Keeps the user directory in step with auth. friends never asks auth whether a user
 * exists; it knows from the events, which is why a just-registered user may be unknown
 * here for a moment.
 */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(private readonly users: UsersRepository) {}

  async registered(userId: string): Promise<void> {
    await this.users.insertIfMissing(userId);
  }

  /** Erases the user and, through the schema's cascades, every request and friendship of theirs. */
  async deleted(userId: string): Promise<void> {
    await this.users.delete(userId);
    this.logger.log({ userId }, 'User erased from the friends directory');
  }
}
