import { Injectable } from '@nestjs/common';
import { Page, pageRequest, toPage } from '../common/pagination';
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
  /** Either blocks the other. Always false until blocking exists. */
  blocked: boolean;
}

/** Reads of confirmed friendships, for the REST API and for other services over gRPC. */
@Injectable()
export class FriendshipsService {
  constructor(private readonly friendships: FriendshipsRepository) {}

  async listFriends(
    userId: string,
    query: { limit?: number; cursor?: string },
  ): Promise<Page<Friend>> {
    const page = pageRequest(query);
    const rows = await this.friendships.listPage(userId, page);
    return toPage(
      rows,
      page.limit,
      (row) => ({ createdAt: row.createdAt, id: row.friendId }),
      (row) => ({ userId: row.friendId, since: row.createdAt }),
    );
  }

  async relation(userId: string, otherUserId: string): Promise<Relation> {
    const friends = userId !== otherUserId && (await this.friendships.exists(userId, otherUserId));
    return { friends, blocked: false };
  }

  async friendIds(userId: string): Promise<string[]> {
    return this.friendships.listFriendIds(userId);
  }
}
