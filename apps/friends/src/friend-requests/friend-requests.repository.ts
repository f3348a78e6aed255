import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { PageRequest } from '../common/pagination';
import { FriendRequestEntity, FriendRequestStatus } from './entities/friend-request.entity';

/** Which side of a request the listing user is on. */
export type RequestDirection = 'incoming' | 'outgoing';

/** Friend requests, pending and answered. */
@Injectable()
export class FriendRequestsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Serialises changes to one pair of users until the transaction ends, so "is there a
   * pending request / a friendship?" cannot change between the check and the write.
   */
  async lockPair(pairKey: string): Promise<void> {
    if (!this.tx.inTransaction) throw new Error('lockPair() outside a transaction locks nothing');
    await this.tx.manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [pairKey]);
  }

  async findById(id: string): Promise<FriendRequestEntity | null> {
    return this.tx.manager.findOneBy(FriendRequestEntity, { id });
  }

  /** The pending request between two users, whichever of them sent it. */
  async findPendingBetween(a: string, b: string): Promise<FriendRequestEntity | null> {
    return this.tx.manager.findOne(FriendRequestEntity, {
      where: [
        { fromUserId: a, toUserId: b, status: 'pending' },
        { fromUserId: b, toUserId: a, status: 'pending' },
      ],
    });
  }

  async insert(
    request: Pick<FriendRequestEntity, 'id' | 'fromUserId' | 'toUserId' | 'status'>,
  ): Promise<FriendRequestEntity> {
    const result = await this.tx.manager.insert(FriendRequestEntity, request);
    // created_at/updated_at come from the database clock, returned by the INSERT.
    return Object.assign(new FriendRequestEntity(), request, result.generatedMaps[0]);
  }

  async updateStatus(id: string, status: FriendRequestStatus): Promise<FriendRequestEntity> {
    await this.tx.manager.update(FriendRequestEntity, { id }, { status });
    return this.tx.manager.findOneByOrFail(FriendRequestEntity, { id });
  }

  /** Up to `limit + 1` pending requests to or from a user, newest first, after the keyset. */
  async listPending(
    userId: string,
    direction: RequestDirection,
    page: PageRequest,
  ): Promise<FriendRequestEntity[]> {
    const column = direction === 'incoming' ? 'r.to_user_id' : 'r.from_user_id';
    const query = this.tx.manager
      .createQueryBuilder(FriendRequestEntity, 'r')
      .where(`${column} = :userId`, { userId })
      .andWhere(`r.status = 'pending'`)
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(page.limit + 1);
    if (page.after) {
      query.andWhere('(r.created_at, r.id) < (:createdAt, :id)', {
        createdAt: page.after.createdAt,
        id: page.after.id,
      });
    }
    return query.getMany();
  }
}
