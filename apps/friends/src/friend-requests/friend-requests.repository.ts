import { Injectable } from '@nestjs/common';
import { KeysetList, type PageRequest, TransactionHost } from '@app/platform';
import { FriendRequestEntity, FriendRequestStatus } from './entities/friend-request.entity';

/** Which side of a request the listing user is on. */
export type RequestDirection = 'incoming' | 'outgoing';

/** Pending requests to or from a user (`friend_requests_incoming_idx` / `_outgoing_idx`). */
const PENDING: Record<RequestDirection, KeysetList> = {
  incoming: pendingList('to_user_id'),
  outgoing: pendingList('from_user_id'),
};

function pendingList(userColumn: string): KeysetList {
  return new KeysetList({
    table: 'friend_requests',
    columns: ['id', 'from_user_id', 'to_user_id', 'status', 'updated_at'],
    owner: `${userColumn} = $1 AND status = 'pending'`,
    id: 'id',
  });
}

interface RequestRow {
  id: string;
  from_user_id: string;
  to_user_id: string;
  status: FriendRequestStatus;
  updated_at: Date;
}

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
    const rows = await PENDING[direction].read<RequestRow>(this.tx.manager, userId, page);
    return rows.map((row) => ({
      id: row.id,
      fromUserId: row.from_user_id,
      toUserId: row.to_user_id,
      status: row.status,
      createdAt: row.createdAt,
      updatedAt: row.updated_at,
    }));
  }
}
