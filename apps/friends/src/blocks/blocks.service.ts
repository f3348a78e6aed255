import { Injectable } from '@nestjs/common';
import { type KeysetPage, keysetPage, TransactionHost } from '@app/platform';
import { PairErrors } from '../pairs/pair.errors';
import { PairsService } from '../pairs/pairs.service';
import { UsersRepository } from '../users/users.repository';
import { BlocksRepository } from './blocks.repository';

/** A user the caller blocks. */
export interface BlockedUser {
  userId: string;
  /** When the block started. */
  since: Date;
}

/**
 * Blocking: one user shuts another out. The aggregate ends their friendship and voids any
 * pending request in the same change; messenger learns of it from AreFriends (`blocked`)
 * and the `friends.user.blocked.v1` event.
 */
@Injectable()
export class BlocksService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly pairs: PairsService,
    private readonly blocks: BlocksRepository,
    private readonly users: UsersRepository,
  ) {}

  async block(userId: string, blockedUserId: string): Promise<BlockedUser> {
    if (userId === blockedUserId) throw PairErrors.selfBlock();
    return this.tx.run(async () => {
      if (!(await this.users.exists(blockedUserId))) throw PairErrors.userNotFound();
      if (!(await this.users.exists(userId))) throw PairErrors.callerNotFound();
      await this.pairs.change(userId, blockedUserId, (pair) => pair.block(userId, blockedUserId));
      const row = await this.blocks.get(userId, blockedUserId);
      return { userId: row.blockedId, since: row.createdAt };
    });
  }

  async unblock(userId: string, blockedUserId: string): Promise<void> {
    if (userId === blockedUserId) throw PairErrors.notBlocked();
    await this.pairs.change(userId, blockedUserId, (pair) => pair.unblock(userId, blockedUserId));
  }

  async list(
    userId: string,
    query: { limit?: number; cursor?: string },
  ): Promise<KeysetPage<BlockedUser>> {
    return keysetPage(
      query,
      (page) => this.blocks.listPage(userId, page),
      (row) => ({ createdAt: row.createdAt, id: row.blockedId }),
      (row) => ({ userId: row.blockedId, since: row.createdAt }),
    );
  }
}
