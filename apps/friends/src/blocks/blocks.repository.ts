import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { PageRequest } from '../common/pagination';
import { BlockEntity } from './entities/block.entity';

/** Reads of the blocks projection (written by the pairs' event store). */
@Injectable()
export class BlocksRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Whether either user blocks the other. */
  async existsEither(a: string, b: string): Promise<boolean> {
    return this.tx.manager.existsBy(BlockEntity, [
      { blockerId: a, blockedId: b },
      { blockerId: b, blockedId: a },
    ]);
  }

  /** A block known to exist (the caller just wrote it). */
  async get(blockerId: string, blockedId: string): Promise<BlockEntity> {
    return this.tx.manager.findOneByOrFail(BlockEntity, { blockerId, blockedId });
  }

  /** Up to `limit + 1` users `blockerId` blocks, most recent first, after the keyset. */
  async listPage(blockerId: string, page: PageRequest): Promise<BlockEntity[]> {
    const query = this.tx.manager
      .createQueryBuilder(BlockEntity, 'b')
      .where('b.blocker_id = :blockerId', { blockerId })
      .orderBy('b.created_at', 'DESC')
      .addOrderBy('b.blocked_id', 'DESC')
      .limit(page.limit + 1);
    if (page.after) {
      query.andWhere('(b.created_at, b.blocked_id) < (:createdAt, :id)', {
        createdAt: page.after.createdAt,
        id: page.after.id,
      });
    }
    return query.getMany();
  }
}
