import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AccountLifecycle, EventPayload, Topics } from '@app/contracts';
import { VersionGate } from '@app/kafka';
import { UsersService } from './users.service';

/**
 * Account and profile events. Each handler already runs inside a transaction with the
 * processed-event record (libs/kafka), so a redelivered event has no second effect; a
 * registration that arrives after the account's deletion is skipped
 * ({@link AccountLifecycle}).
 */
@Controller()
export class UserEventsConsumer {
  constructor(
    private readonly users: UsersService,
    private readonly versions: VersionGate,
  ) {}

  @EventPattern(Topics.UserRegistered)
  async onRegistered(@Payload() event: EventPayload<typeof Topics.UserRegistered>): Promise<void> {
    const { stream, registered } = AccountLifecycle;
    if (await this.versions.advance(stream(event.userId), registered)) {
      await this.users.registered(event.userId, event.nickname);
    }
  }

  @EventPattern(Topics.ProfileUpdated)
  async onProfileUpdated(
    @Payload() event: EventPayload<typeof Topics.ProfileUpdated>,
  ): Promise<void> {
    await this.users.profileUpdated(event.userId, event.nickname, event.displayName);
  }

  /** An account was deleted: its messages, memberships and friendships are erased. */
  @EventPattern(Topics.UserDeleted)
  async onUserDeleted(@Payload() event: EventPayload<typeof Topics.UserDeleted>): Promise<void> {
    await this.versions.advance(AccountLifecycle.stream(event.userId), AccountLifecycle.deleted);
    await this.users.erase(event.userId);
  }
}
