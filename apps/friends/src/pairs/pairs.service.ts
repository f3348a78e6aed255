import { Inject, Injectable, Logger } from '@nestjs/common';
import { FRIENDSHIP_REVOKED_CHANNEL, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { REDIS_CLIENT, TransactionHost } from '@app/platform';
import type { Redis } from 'ioredis';
import { FriendshipPair } from './friendship-pair.aggregate';
import { PairStoreRepository } from './pair-store.repository';
import { PairEvent } from './pair.events';

/**
 * Runs a command against one pair: load its state, let the aggregate decide, then append
 * the events, update the projections and write the public Kafka events to the outbox, in
 * one transaction. Nothing is retried on a concurrent update: a command was decided on a
 * state that no longer holds, and only the client knows whether it still wants it.
 *
 * An unfriend or a block is also announced on {@link FRIENDSHIP_REVOKED_CHANNEL} once
 * committed, and Redis has taken the announcement before the caller hears back, so
 * messenger stops letting the two write to each other from the caller's next request on
 * rather than after the event's lag (ADR 0038).
 */
@Injectable()
export class PairsService {
  private readonly logger = new Logger(PairsService.name);

  constructor(
    private readonly tx: TransactionHost,
    private readonly store: PairStoreRepository,
    private readonly events: EventPublisher,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  async change(
    a: string,
    b: string,
    command: (pair: FriendshipPair) => void,
  ): Promise<FriendshipPair> {
    return this.tx.run(async () => {
      const pair = await this.store.load(a, b);
      command(pair);
      await this.store.save(pair);
      // Event n of this command takes the pair from version `pair.version + n - 1` to
      // `pair.version + n`, as the store numbers them.
      for (const [index, event] of pair.changes.entries()) {
        await this.publish(pair.id, event, pair.version + index + 1);
      }
      if (pair.changes.some((event) => event.type === 'removed' || event.type === 'blocked')) {
        this.tx.afterCommit(() => this.announceRevoked(pair.id));
      }
      return pair;
    });
  }

  /**
   * Awaited: once Redis has answered the PUBLISH it has handed the announcement to every
   * subscriber's connection, ahead of anything the caller sends next. A failure (Redis
   * down: no offline queue, so at once) is only logged — the change is committed, and the
   * `friends.*` event still reaches messenger, after its lag.
   */
  private async announceRevoked(pairId: string): Promise<void> {
    try {
      await this.redis.publish(FRIENDSHIP_REVOKED_CHANNEL, pairId);
    } catch (error) {
      this.logger.warn(`friendship revocation not announced: ${(error as Error).message}`);
    }
  }

  /**
   * Each stored event becomes one public event, keyed by the pair. The key keeps a pair's
   * events in order within a topic; `pairVersion` lets consumers order them across topics.
   */
  private async publish(key: string, event: PairEvent, pairVersion: number): Promise<void> {
    switch (event.type) {
      case 'requested':
      case 'accepted':
      case 'declined':
      case 'cancelled': {
        const topic = {
          requested: Topics.FriendRequestSent,
          accepted: Topics.FriendRequestAccepted,
          declined: Topics.FriendRequestDeclined,
          cancelled: Topics.FriendRequestCancelled,
        }[event.type];
        const { requestId, fromUserId, toUserId } = event;
        await this.events.publish(topic, { requestId, fromUserId, toUserId, pairVersion }, { key });
        return;
      }
      case 'removed':
        await this.events.publish(
          Topics.FriendshipRemoved,
          { userId: event.userId, otherUserId: event.otherUserId, pairVersion },
          { key },
        );
        return;
      case 'blocked':
      case 'unblocked':
        await this.events.publish(
          event.type === 'blocked' ? Topics.UserBlocked : Topics.UserUnblocked,
          { userId: event.userId, blockedUserId: event.blockedUserId, pairVersion },
          { key },
        );
        return;
    }
  }
}
