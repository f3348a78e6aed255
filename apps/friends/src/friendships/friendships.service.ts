import { Injectable } from '@nestjs/common';
import { type KeysetPage, keysetPage } from '@app/platform';
import { BlocksRepository } from '../blocks/blocks.repository';
import { PairErrors } from '../pairs/pair.errors';
import { PairsService } from '../pairs/pairs.service';
import { FriendshipsRepository } from './friendships.repository';

/** A confirmed friend, as the user who has them sees it. */
export interface Friend {
  userId: string;
  /** When the friendship was confirmed. */
  since: Date;
}

/** What two users are to each other. */
export interface Relation {
  friends: boolean;
  /** Either blocks the other. */
  blocked: boolean;
}

/** Confirmed friendships: the list, unfriending, and the checks other services ask for. */
@Injectable()
export class FriendshipsService {
  constructor(
    private readonly pairs: PairsService,
    private readonly friendships: FriendshipsRepository,
    private readonly blocks: BlocksRepository,
  ) {}

  async listFriends(
    userId: string,
    query: { limit?: number; cursor?: string },
  ): Promise<KeysetPage<Friend>> {
    return keysetPage(
      query,
      (page) => this.friendships.listPage(userId, page),
      (row) => ({ createdAt: row.createdAt, id: row.friendId }),
      (row) => ({ userId: row.friendId, since: row.createdAt }),
    );
  }

  /**
   * `userId` ends the friendship with `otherUserId` or, if they are not friends yet,
   * withdraws the request `userId` sent them.
   */
  async unfriend(userId: string, otherUserId: string): Promise<void> {
    if (userId === otherUserId) throw PairErrors.notFriends();
    await this.pairs.change(userId, otherUserId, (pair) => pair.unfriend(userId, otherUserId));
  }

  async relation(userId: string, otherUserId: string): Promise<Relation> {
    if (userId === otherUserId) return { friends: false, blocked: false };
    const [friends, blocked] = await Promise.all([
      this.friendships.exists(userId, otherUserId),
      this.blocks.existsEither(userId, otherUserId),
    ]);
    return { friends, blocked };
  }

  async friendIds(userId: string): Promise<string[]> {
    return this.friendships.listFriendIds(userId);
  }
}
