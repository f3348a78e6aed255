import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventPayload, Topics } from '@app/contracts';
import { ChatsService } from './chats.service';

/**
 * auth's account lifecycle. The handler already runs inside a transaction with the
 * processed-event record (libs/kafka), so a redelivered event has no second effect.
 */
@Controller()
export class UserEventsConsumer {
  constructor(private readonly chats: ChatsService) {}

  /** An account was deleted: it leaves every chat. */
  @EventPattern(Topics.UserDeleted)
  async onUserDeleted(@Payload() event: EventPayload<typeof Topics.UserDeleted>): Promise<void> {
    await this.chats.removeUser(event.userId);
  }
}
