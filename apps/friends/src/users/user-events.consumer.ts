import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AccountLifecycle, EventPayload, Topics } from '@app/contracts';
import { VersionGate } from '@app/kafka';
import { UsersService } from './users.service';

/**
 * auth's user lifecycle events. Each handler already runs in a transaction with the
 * processed-event row (libs/kafka), so redelivery has no second effect; a registration
 * that arrives after the account's deletion is skipped ({@link AccountLifecycle}).
 */
@Controller()
export class UserEventsConsumer {
  constructor(
    private readonly users: UsersService,
    private readonly versions: VersionGate,
  ) {}

  @EventPattern(Topics.UserRegistered)
  async onUserRegistered(
    @Payload() payload: EventPayload<typeof Topics.UserRegistered>,
  ): Promise<void> {
    const { stream, registered } = AccountLifecycle;
    if (await this.versions.advance(stream(payload.userId), registered)) {
      await this.users.registered(payload.userId);
    }
  }

  @EventPattern(Topics.UserDeleted)
  async onUserDeleted(@Payload() payload: EventPayload<typeof Topics.UserDeleted>): Promise<void> {
    await this.versions.advance(AccountLifecycle.stream(payload.userId), AccountLifecycle.deleted);
    await this.users.deleted(payload.userId);
  }
}
