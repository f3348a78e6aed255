import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventPayload, pairId, Topics } from '@app/contracts';
import { VersionGate } from '@app/kafka';
import { TransactionHost } from '@app/platform';
import { MembershipCache } from '../chats/membership-cache';
import { ClientNotifier } from '../realtime/client-notifier';
import { FriendshipReplica } from './friendship-replica.repository';

/**
 * Keeps the friendship and block replica in step with friends, and pushes friend requests
 * and acceptances to the users' sockets once recorded. Each handler runs in a
 * transaction with its processed-event record (libs/kafka), so redelivery changes nothing.
 *
 * A pair's events travel on four topics here and may arrive out of order after an outage.
 * The replica follows three streams per pair — the friendship, and each user's block of
 * the other — each set by its newest event, so an event older (by pair version) than the
 * last one applied to its stream is skipped.
 *
 * Every applied change also drops the pair's direct chat from every instance's
 * membership cache after commit: the cache holds the replica's friendship answer.
 */
@Controller()
export class FriendshipEventsConsumer {
  constructor(
    private readonly replica: FriendshipReplica,
    private readonly versions: VersionGate,
    private readonly notifier: ClientNotifier,
    private readonly tx: TransactionHost,
    private readonly cache: MembershipCache,
  ) {}

  /** Tells the addressee's devices of a new friend request (`friend:request`). */
  @EventPattern(Topics.FriendRequestSent)
  onRequestSent(@Payload() event: EventPayload<typeof Topics.FriendRequestSent>): void {
    const { requestId, fromUserId, toUserId } = event;
    this.tx.afterCommit(() =>
      this.notifier.toUsers([toUserId], 'friend:request', { requestId, fromUserId }),
    );
  }

  /** Records the friendship and tells the requester's devices (`friend:accepted`). */
  @EventPattern(Topics.FriendRequestAccepted)
  async onAccepted(
    @Payload() event: EventPayload<typeof Topics.FriendRequestAccepted>,
  ): Promise<void> {
    const { fromUserId, toUserId, pairVersion } = event;
    if (await this.versions.advance(friendshipStream(fromUserId, toUserId), pairVersion)) {
      await this.replica.add(fromUserId, toUserId);
      this.tx.afterCommit(() => {
        this.cache.pairChanged(fromUserId, toUserId);
        this.notifier.toUsers([fromUserId], 'friend:accepted', { userId: toUserId });
      });
    }
  }

  @EventPattern(Topics.FriendshipRemoved)
  async onRemoved(@Payload() event: EventPayload<typeof Topics.FriendshipRemoved>): Promise<void> {
    const { userId, otherUserId, pairVersion } = event;
    if (await this.versions.advance(friendshipStream(userId, otherUserId), pairVersion)) {
      await this.replica.remove(userId, otherUserId);
      this.tx.afterCommit(() => this.cache.pairChanged(userId, otherUserId));
    }
  }

  @EventPattern(Topics.UserBlocked)
  async onBlocked(@Payload() event: EventPayload<typeof Topics.UserBlocked>): Promise<void> {
    const { userId, blockedUserId, pairVersion } = event;
    if (await this.versions.advance(blockStream(userId, blockedUserId), pairVersion)) {
      await this.replica.block(userId, blockedUserId);
      this.tx.afterCommit(() => this.cache.pairChanged(userId, blockedUserId));
    }
  }

  @EventPattern(Topics.UserUnblocked)
  async onUnblocked(@Payload() event: EventPayload<typeof Topics.UserUnblocked>): Promise<void> {
    const { userId, blockedUserId, pairVersion } = event;
    if (await this.versions.advance(blockStream(userId, blockedUserId), pairVersion)) {
      await this.replica.unblock(userId, blockedUserId);
      this.tx.afterCommit(() => this.cache.pairChanged(userId, blockedUserId));
    }
  }
}

const friendshipStream = (a: string, b: string): string => `friendship:${pairId(a, b)}`;
/** Direction matters: A blocking B and B blocking A are separate facts. */
const blockStream = (blocker: string, blocked: string): string => `block:${blocker}>${blocked}`;
