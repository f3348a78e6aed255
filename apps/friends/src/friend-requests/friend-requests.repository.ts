import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { PageRequest } from '../common/pagination';
import { FriendRequestEntity } from './entities/friend-request.entity';

/** Which side of a request the listing user is on. */
export type RequestDirection = 'incoming' | 'outgoing';

/** Reads of the friend requests projection (written by the pairs' event store). */
@Injectable()
export class FriendRequestsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async findById(id: string): Promise<FriendRequestEntity | null> {
    return this.tx.manager.findOneBy(FriendRequestEntity, { id });
  }

  /** A request known to exist (the caller just wrote it). */
  async getById(id: string): Promise<FriendRequestEntity> {
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
