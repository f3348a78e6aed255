import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AccountLifecycle, EventPayload, Topics } from '@app/contracts';
import { VersionGate } from '@app/kafka';
import { ProfilesService } from './profiles.service';

/**
 * auth's account lifecycle events. Each handler already runs inside a transaction with
 * the processed-event record (libs/kafka), so a redelivered event has no second effect;
 * a registration that arrives after the account's deletion is skipped
 * ({@link AccountLifecycle}).
 */
@Controller()
export class UserEventsConsumer {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly versions: VersionGate,
  ) {}

  /** A registration finished: the reserved nickname becomes a profile. */
  @EventPattern(Topics.UserRegistered)
  async onUserRegistered(
    @Payload() event: EventPayload<typeof Topics.UserRegistered>,
  ): Promise<void> {
    const { stream, registered } = AccountLifecycle;
    if (await this.versions.advance(stream(event.userId), registered)) {
      await this.profiles.createFromRegistration(event.userId, event.nickname, event.email);
    }
  }

  /** An account was deleted: its profile and any reservation go with it. */
  @EventPattern(Topics.UserDeleted)
  async onUserDeleted(@Payload() event: EventPayload<typeof Topics.UserDeleted>): Promise<void> {
    await this.versions.advance(AccountLifecycle.stream(event.userId), AccountLifecycle.deleted);
    await this.profiles.deleteAccount(event.userId);
  }
}
