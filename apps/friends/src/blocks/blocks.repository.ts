import { Injectable } from '@nestjs/common';
import { KeysetList, type PageRequest, TransactionHost } from '@app/platform';
import { BlockEntity } from './entities/block.entity';

/** A user someone blocks, and since when. */
export interface BlockRow {
  blockedId: string;
  createdAt: Date;
}

/** The users someone blocks (`blocks_list_idx`). */
const BLOCKED = new KeysetList({
  table: 'blocks',
  columns: ['blocked_id'],
  owner: 'blocker_id = $1',
  id: 'blocked_id',
});

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
  async listPage(blockerId: string, page: PageRequest): Promise<BlockRow[]> {
    const rows = await BLOCKED.read<{ blocked_id: string }>(this.tx.manager, blockerId, page);
    return rows.map((row) => ({ blockedId: row.blocked_id, createdAt: row.createdAt }));
  }
}
