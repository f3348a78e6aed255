import { Injectable } from '@nestjs/common';
import { type KeysetPage, keysetPage, TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { FriendshipPair } from '../pairs/friendship-pair.aggregate';
import { PairErrors } from '../pairs/pair.errors';
import { PairsService } from '../pairs/pairs.service';
import { UsersRepository } from '../users/users.repository';
import { FriendRequestEntity } from './entities/friend-request.entity';
import { FriendRequestsRepository, RequestDirection } from './friend-requests.repository';

/**
 * Asking and answering. Who may do what to a pair is the aggregate's business
 * ({@link FriendshipPair}); this service checks what lies outside one pair (does the user
 * exist, whose request is this id) and returns the request as the projection now shows it.
 */
@Injectable()
export class FriendRequestsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly pairs: PairsService,
    private readonly requests: FriendRequestsRepository,
    private readonly users: UsersRepository,
  ) {}

  /**
   * `fromUserId` asks `toUserId` to be friends. When `toUserId` has already asked
   * `fromUserId`, that request is accepted instead and returned.
   */
  async send(fromUserId: string, toUserId: string): Promise<FriendRequestEntity> {
    if (fromUserId === toUserId) throw PairErrors.selfRequest();
    return this.tx.run(async () => {
      if (!(await this.users.exists(toUserId))) throw PairErrors.userNotFound();
      if (!(await this.users.exists(fromUserId))) throw PairErrors.callerNotFound();
      const pair = await this.pairs.change(fromUserId, toUserId, (p) =>
        p.request(fromUserId, toUserId, randomUUID()),
      );
      return this.requestOf(pair);
    });
  }

  /** The addressee accepts a pending request; the two become friends. */
  async accept(userId: string, requestId: string): Promise<FriendRequestEntity> {
    return this.answer(userId, requestId, (pair) => pair.accept(userId, requestId));
  }

  /** The addressee declines a pending request; the sender may ask again later. */
  async decline(userId: string, requestId: string): Promise<FriendRequestEntity> {
    return this.answer(userId, requestId, (pair) => pair.decline(userId, requestId));
  }

  /** Pending requests to (`incoming`) or from (`outgoing`) the user, newest first. */
  async listPending(
    userId: string,
    direction: RequestDirection,
    query: { limit?: number; cursor?: string },
  ): Promise<KeysetPage<FriendRequestEntity>> {
    return keysetPage(
      query,
      (page) => this.requests.listPending(userId, direction, page),
      (row) => ({ createdAt: row.createdAt, id: row.id }),
      (row) => row,
    );
  }

  /**
   * Only the addressee may answer. The sender learns it is not theirs to answer; anyone
   * else is told the request does not exist, so request ids reveal nothing to strangers.
   */
  private async answer(
    userId: string,
    requestId: string,
    command: (pair: FriendshipPair) => void,
  ): Promise<FriendRequestEntity> {
    return this.tx.run(async () => {
      const request = await this.requests.findById(requestId);
      if (!request || (request.toUserId !== userId && request.fromUserId !== userId)) {
        throw PairErrors.requestNotFound();
      }
      if (request.toUserId !== userId) throw PairErrors.notAddressee();
      if (request.status !== 'pending') throw PairErrors.notPending();
      await this.pairs.change(request.fromUserId, request.toUserId, command);
      return this.requests.getById(requestId);
    });
  }

  /** The request a `send` created or accepted, as now stored. */
  private async requestOf(pair: FriendshipPair): Promise<FriendRequestEntity> {
    const event = pair.changes.find((e) => e.type === 'requested' || e.type === 'accepted');
    if (!event || !('requestId' in event)) throw new Error('send() recorded no request');
    return this.requests.getById(event.requestId);
  }
}
