import { Injectable } from '@nestjs/common';
import { Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { Page, pageRequest, toPage } from '../common/pagination';
import { pairKey } from '../common/pair';
import { FriendshipsRepository } from '../friendships/friendships.repository';
import { UsersRepository } from '../users/users.repository';
import { FriendRequestEntity } from './entities/friend-request.entity';
import { FriendRequestErrors } from './friend-requests.errors';
import { FriendRequestsRepository, RequestDirection } from './friend-requests.repository';

/**
 * The rules of asking and confirming: who may ask whom, what a second request means, who
 * may accept. Every change takes the pair's lock, and is committed with its event.
 */
@Injectable()
export class FriendRequestsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly requests: FriendRequestsRepository,
    private readonly friendships: FriendshipsRepository,
    private readonly users: UsersRepository,
    private readonly events: EventPublisher,
  ) {}

  /**
   * `fromUserId` asks `toUserId` to be friends. When `toUserId` has already asked
   * `fromUserId`, the two requests mean the same thing: that request is accepted instead
   * and returned.
   */
  async send(fromUserId: string, toUserId: string): Promise<FriendRequestEntity> {
    if (fromUserId === toUserId) throw FriendRequestErrors.selfRequest();
    const pair = pairKey(fromUserId, toUserId);
    return this.tx.run(async () => {
      await this.requests.lockPair(pair);
      if (!(await this.users.exists(toUserId))) throw FriendRequestErrors.userNotFound();
      if (!(await this.users.exists(fromUserId))) throw FriendRequestErrors.callerNotFound();
      if (await this.friendships.exists(fromUserId, toUserId)) {
        throw FriendRequestErrors.alreadyFriends();
      }
      const pending = await this.requests.findPendingBetween(fromUserId, toUserId);
      if (pending) {
        if (pending.fromUserId === fromUserId) throw FriendRequestErrors.alreadyPending();
        return this.confirm(pending);
      }
      const request = await this.requests.insert({
        id: randomUUID(),
        fromUserId,
        toUserId,
        status: 'pending',
      });
      await this.events.publish(
        Topics.FriendRequestSent,
        { requestId: request.id, fromUserId, toUserId },
        { key: pair },
      );
      return request;
    });
  }

  /**
   * The addressee accepts a pending request. The sender learns it is not theirs to accept;
   * anyone else is told it does not exist, so request ids reveal nothing to strangers.
   */
  async accept(userId: string, requestId: string): Promise<FriendRequestEntity> {
    return this.tx.run(async () => {
      const found = await this.requests.findById(requestId);
      if (!found) throw FriendRequestErrors.requestNotFound();
      if (found.toUserId !== userId) {
        throw found.fromUserId === userId
          ? FriendRequestErrors.notAddressee()
          : FriendRequestErrors.requestNotFound();
      }
      await this.requests.lockPair(pairKey(found.fromUserId, found.toUserId));
      // Read again under the lock: a concurrent accept may have got there first.
      const request = await this.requests.findById(requestId);
      if (!request) throw FriendRequestErrors.requestNotFound();
      if (request.status !== 'pending') throw FriendRequestErrors.notPending(request.status);
      return this.confirm(request);
    });
  }

  /** Pending requests to (`incoming`) or from (`outgoing`) the user, newest first. */
  async listPending(
    userId: string,
    direction: RequestDirection,
    query: { limit?: number; cursor?: string },
  ): Promise<Page<FriendRequestEntity>> {
    const page = pageRequest(query);
    const rows = await this.requests.listPending(userId, direction, page);
    return toPage(
      rows,
      page.limit,
      (row) => ({ createdAt: row.createdAt, id: row.id }),
      (row) => row,
    );
  }

  /** Turns a pending request into a friendship; the caller holds the pair's lock. */
  private async confirm(request: FriendRequestEntity): Promise<FriendRequestEntity> {
    const accepted = await this.requests.updateStatus(request.id, 'accepted');
    await this.friendships.insertPair(request.fromUserId, request.toUserId);
    await this.events.publish(
      Topics.FriendRequestAccepted,
      { requestId: request.id, fromUserId: request.fromUserId, toUserId: request.toUserId },
      { key: pairKey(request.fromUserId, request.toUserId) },
    );
    return accepted;
  }
}
