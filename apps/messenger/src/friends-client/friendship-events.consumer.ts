import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventPayload, Topics } from '@app/contracts';
import { FriendshipReplica } from './friendship-replica.repository';

/**
 * Keeps the friendship and block replica in step with friends. Each handler runs in a transaction
 * with its processed-event record (libs/kafka), and both writes are idempotent anyway.
 */
@Controller()
export class FriendshipEventsConsumer {
  constructor(private readonly replica: FriendshipReplica) {}

  @EventPattern(Topics.FriendRequestAccepted)
  async onAccepted(
    @Payload() event: EventPayload<typeof Topics.FriendRequestAccepted>,
  ): Promise<void> {
    await this.replica.add(event.fromUserId, event.toUserId);
  }

  @EventPattern(Topics.FriendshipRemoved)
  async onRemoved(@Payload() event: EventPayload<typeof Topics.FriendshipRemoved>): Promise<void> {
    await this.replica.remove(event.userId, event.otherUserId);
  }

  @EventPattern(Topics.UserBlocked)
  async onBlocked(@Payload() event: EventPayload<typeof Topics.UserBlocked>): Promise<void> {
    await this.replica.block(event.userId, event.blockedUserId);
  }

  @EventPattern(Topics.UserUnblocked)
  async onUnblocked(@Payload() event: EventPayload<typeof Topics.UserUnblocked>): Promise<void> {
    await this.replica.unblock(event.userId, event.blockedUserId);
  }
}
