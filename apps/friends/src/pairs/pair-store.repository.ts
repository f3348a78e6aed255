import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { QueryFailedError } from 'typeorm';
import { BlockEntity } from '../blocks/entities/block.entity';
import { FriendRequestEntity } from '../friend-requests/entities/friend-request.entity';
import { FriendshipEntity } from '../friendships/entities/friendship.entity';
import { PairEntity } from './entities/pair.entity';
import { PairEventEntity } from './entities/pair-event.entity';
import { FriendshipPair } from './friendship-pair.aggregate';
import { PairErrors } from './pair.errors';
import { PairEvent } from './pair.events';

const UNIQUE_VIOLATION = '23505';

/**
 * The event store of pairs and the projections it keeps current. `save` appends a pair's
 * new events, moves its snapshot to the new version and updates the read tables, all in
 * the caller's transaction; a concurrent writer makes it fail with
 * FRIENDS.CONCURRENT_UPDATE instead of silently interleaving.
 */
@Injectable()
export class PairStoreRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** The pair's current state, or a fresh pair if the two never interacted. */
  async load(a: string, b: string): Promise<FriendshipPair> {
    const fresh = FriendshipPair.start(a, b);
    const row = await this.tx.manager.findOneBy(PairEntity, { id: fresh.id });
    return row ? FriendshipPair.restore(a, b, row.state, row.version) : fresh;
  }

  async save(pair: FriendshipPair): Promise<void> {
    if (!this.tx.inTransaction) throw new Error('save() outside a transaction is not atomic');
    const changes = pair.changes;
    if (changes.length === 0) return;
    const newVersion = pair.version + changes.length;

    // The snapshot moves only from the version the command saw. Under READ COMMITTED a
    // concurrent writer's UPDATE waits for ours, then finds the version moved and matches
    // nothing; a concurrent first INSERT finds the row there and does nothing.
    const moved =
      pair.version === 0
        ? (
            await this.tx.manager.query<unknown[]>(
              `INSERT INTO friendship_pairs (id, user_low, user_high, version, state)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING id`,
              [pair.id, pair.userLow, pair.userHigh, newVersion, pair.state],
            )
          ).length
        : // TypeORM answers an UPDATE with [rows, rowCount].
          (
            await this.tx.manager.query<[unknown[], number]>(
              `UPDATE friendship_pairs SET version = $3, state = $4, updated_at = now()
               WHERE id = $1 AND version = $2`,
              [pair.id, pair.version, newVersion, pair.state],
            )
          )[1];
    if (moved !== 1) throw PairErrors.concurrentUpdate();

    try {
      await this.tx.manager.insert(
        PairEventEntity,
        changes.map(({ type, ...data }, index) => ({
          aggregateId: pair.id,
          version: pair.version + index + 1,
          type,
          data,
        })),
      );
    } catch (error) {
      // The store's own guard, should anything ever write events without the snapshot.
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
      ) {
        throw PairErrors.concurrentUpdate();
      }
      throw error;
    }

    for (const event of changes) await this.project(event);
  }

  /** Updates the read tables for one event. */
  private async project(event: PairEvent): Promise<void> {
    const manager = this.tx.manager;
    switch (event.type) {
      case 'requested':
        await manager.insert(FriendRequestEntity, {
          id: event.requestId,
          fromUserId: event.fromUserId,
          toUserId: event.toUserId,
          status: 'pending',
        });
        return;
      case 'accepted':
        await manager.update(FriendRequestEntity, { id: event.requestId }, { status: 'accepted' });
        await manager
          .createQueryBuilder()
          .insert()
          .into(FriendshipEntity)
          .values([
            { userId: event.fromUserId, friendId: event.toUserId },
            { userId: event.toUserId, friendId: event.fromUserId },
          ])
          .orIgnore()
          .execute();
        return;
      case 'declined':
      case 'cancelled':
        await manager.update(FriendRequestEntity, { id: event.requestId }, { status: event.type });
        return;
      case 'removed':
        await manager.delete(FriendshipEntity, {
          userId: event.userId,
          friendId: event.otherUserId,
        });
        await manager.delete(FriendshipEntity, {
          userId: event.otherUserId,
          friendId: event.userId,
        });
        return;
      case 'blocked':
        await manager.insert(BlockEntity, {
          blockerId: event.userId,
          blockedId: event.blockedUserId,
        });
        return;
      case 'unblocked':
        await manager.delete(BlockEntity, {
          blockerId: event.userId,
          blockedId: event.blockedUserId,
        });
        return;
    }
  }
}
