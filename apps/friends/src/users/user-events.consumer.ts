import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventPayload, Topics } from '@app/contracts';
import { UsersService } from './users.service';

/**
 * auth's user lifecycle events. Each handler already runs in a transaction with the
 * processed-event row (libs/kafka), so redelivery has no second effect.
 */
@Controller()
export class UserEventsConsumer {
  constructor(private readonly users: UsersService) {}

  @EventPattern(Topics.UserRegistered)
  async onUserRegistered(
    @Payload() payload: EventPayload<typeof Topics.UserRegistered>,
  ): Promise<void> {
    await this.users.registered(payload.userId);
  }

  @EventPattern(Topics.UserDeleted)
  async onUserDeleted(@Payload() payload: EventPayload<typeof Topics.UserDeleted>): Promise<void> {
    await this.users.deleted(payload.userId);
  }
}
