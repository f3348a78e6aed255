import { Controller } from '@nestjs/common';
import { AccountLifecycle, EventPayload, pairId, Topics } from '@app/contracts';
import { VersionGate } from '@app/kafka';
import { EventPattern, Payload } from '@nestjs/microservices';
import { FriendshipsService } from './friendships.service';

/**
 * friends' events that change who is friends with whom. Each handler runs inside a
 * transaction with the processed-event record (libs/kafka), so redelivery changes nothing.
 *
 * `accepted` and `removed` travel on different topics, so they may arrive in either order
 * after an outage; the pair's version decides, and an event older than the last one
 * applied to the pair's friendship is skipped. So is an acceptance that arrives after one
 * of the two accounts was deleted (`auth.user.deleted.v1` travels on its own topic): the
 * deletion erased the user's friendships, and a late event must not bring one back.
 */
@Controller()
export class FriendEventsConsumer {
  constructor(
    private readonly friendships: FriendshipsService,
    private readonly versions: VersionGate,
  ) {}

  @EventPattern(Topics.FriendRequestAccepted)
  async onRequestAccepted(
    @Payload() event: EventPayload<typeof Topics.FriendRequestAccepted>,
  ): Promise<void> {
    if (
      (await this.isNewest(event.fromUserId, event.toUserId, event.pairVersion)) &&
      !(await this.eitherDeleted(event.fromUserId, event.toUserId))
    ) {
      await this.friendships.befriend(event.fromUserId, event.toUserId);
    }
  }

  @EventPattern(Topics.FriendshipRemoved)
  async onFriendshipRemoved(
    @Payload() event: EventPayload<typeof Topics.FriendshipRemoved>,
  ): Promise<void> {
    if (await this.isNewest(event.userId, event.otherUserId, event.pairVersion)) {
      await this.friendships.unfriend(event.userId, event.otherUserId);
    }
  }

  private isNewest(a: string, b: string, pairVersion: number): Promise<boolean> {
    return this.versions.advance(`friendship:${pairId(a, b)}`, pairVersion);
  }

  private async eitherDeleted(a: string, b: string): Promise<boolean> {
    const { stream, deleted } = AccountLifecycle;
    return (
      (await this.versions.reached(stream(a), deleted)) ||
      (await this.versions.reached(stream(b), deleted))
    );
  }
}
