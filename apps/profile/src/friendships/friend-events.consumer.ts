import { Controller } from '@nestjs/common';
import { EventPayload, Topics } from '@app/contracts';
import { EventPattern, Payload } from '@nestjs/microservices';
import { FriendshipsService } from './friendships.service';

/**
 * friends' events that change who is friends with whom. Each handler runs inside a
 * transaction with the processed-event record (libs/kafka), and the writes are
 * idempotent too, so redelivery and replays change nothing.
 */
@Controller()
export class FriendEventsConsumer {
  constructor(private readonly friendships: FriendshipsService) {}

  @EventPattern(Topics.FriendRequestAccepted)
  async onRequestAccepted(
    @Payload() event: EventPayload<typeof Topics.FriendRequestAccepted>,
  ): Promise<void> {
    await this.friendships.befriend(event.fromUserId, event.toUserId);
  }

  @EventPattern(Topics.FriendshipRemoved)
  async onFriendshipRemoved(
    @Payload() event: EventPayload<typeof Topics.FriendshipRemoved>,
  ): Promise<void> {
    await this.friendships.unfriend(event.userId, event.otherUserId);
  }
}
