import { Injectable } from '@nestjs/common';
import { decodeKeyset, encodeKeyset } from '@app/platform';
import DataLoader from 'dataloader';
import type { ProfileEntity } from '../profiles/entities/profile.entity';
import { type Page, pageSize, toPage } from '../pagination/page';
import {
  type FriendRow,
  FriendshipsRepository,
  type FriendsPageKey,
} from './friendships.repository';

/**
 * Batches of one GraphQL operation: every `friendsCount` and `friends` field resolved in
 * the same tick is collected into one query per kind, however many profiles the response
 * holds. They batch but do not cache (`cache: false`): a subscription keeps its context
 * for hours, and a cached count would go stale.
 */
export interface FriendsLoaders {
  count: DataLoader<string, number>;
  page: DataLoader<FriendsPageKey, FriendRow[]>;
}

/**
 * The keyset position a friends cursor holds: `[since, friendId]`, read by the platform's
 * keyset cursor, which refuses anything this API did not issue — a time PostgreSQL cannot
 * hold, an id that is not a UUID — as BAD_USER_INPUT on `after`.
 */
function friendsPosition(cursor: string): FriendsPageKey['after'] {
  const { createdAt: since, id: friendId } = decodeKeyset(cursor, 'after');
  return { since, friendId };
}

/** Profile's read model of confirmed friendships, fed by friends' events (CQRS). */
@Injectable()
export class FriendshipsService {
  constructor(private readonly friendships: FriendshipsRepository) {}

  /** A friend request was accepted: both users list each other. Idempotent. */
  async befriend(a: string, b: string): Promise<void> {
    if (a === b) return; // friends refuses self-requests; a bad record must not list one
    await this.friendships.add(a, b);
  }

  /** A friendship ended (unfriend or block). Idempotent. */
  async unfriend(a: string, b: string): Promise<void> {
    await this.friendships.remove(a, b);
  }

  /** An account was deleted: it disappears from every friend list. */
  async forgetUser(userId: string): Promise<void> {
    await this.friendships.removeAllOf(userId);
  }

  createLoaders(): FriendsLoaders {
    return {
      count: new DataLoader(
        async (userIds) => {
          const counts = await this.friendships.countByUsers(userIds);
          return userIds.map((id) => counts.get(id) ?? 0);
        },
        { cache: false },
      ),
      page: new DataLoader((keys) => this.friendships.pagesByUsers(keys), { cache: false }),
    };
  }

  /** How many friends `userId` has. */
  countFriends(loaders: FriendsLoaders, userId: string): Promise<number> {
    return loaders.count.load(userId);
  }

  /** A page of `userId`'s friends, most recent friendship first. */
  async friendsOf(
    loaders: FriendsLoaders,
    userId: string,
    first?: number | null,
    after?: string | null,
  ): Promise<Page<ProfileEntity>> {
    const limit = pageSize(first);
    const rows = await loaders.page.load({
      userId,
      limit: limit + 1,
      after: after ? friendsPosition(after) : undefined,
    });
    const page = toPage(rows, limit, (row) =>
      encodeKeyset({ createdAt: row.since, id: row.profile.id }),
    );
    return {
      hasNextPage: page.hasNextPage,
      items: page.items.map(({ cursor, node }) => ({ cursor, node: node.profile })),
    };
  }
}
