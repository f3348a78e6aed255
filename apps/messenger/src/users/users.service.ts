import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { ChatsRepository } from '../chats/chats.repository';
import { ChatsService } from '../chats/chats.service';
import { MembershipCache } from '../chats/membership-cache';
import { FriendshipReplica } from '../friends-client/friendship-replica.repository';
import { MessagesRepository } from '../messages/messages.repository';
import { UsersRepository } from './users.repository';

/** What messenger keeps about users owned elsewhere: names, and erasure on deletion. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly chats: ChatsRepository,
    private readonly chatsService: ChatsService,
    private readonly messages: MessagesRepository,
    private readonly friendships: FriendshipReplica,
    private readonly cache: MembershipCache,
    private readonly tx: TransactionHost,
  ) {}

  async registered(userId: string, nickname: string): Promise<void> {
    await this.users.insertIfAbsent(userId, nickname);
  }

  async profileUpdated(
    userId: string,
    nickname: string,
    displayName: string | null,
  ): Promise<void> {
    await this.users.upsert(userId, nickname, displayName);
  }

  /**
   * Erases a deleted account: the text of every message it sent (tombstones, so other
   * members' timelines keep their seqs and replies), its reactions, every membership (a
   * group it owned passes to the next admin or member, as when an owner leaves), its
   * friendships and its name. Runs in the consumer's transaction.
   */
  async erase(userId: string): Promise<void> {
    await this.messages.eraseAuthor(userId);
    for (const { chatId, role } of await this.chats.membershipsOf(userId)) {
      await this.chatsService.depart(chatId, userId, role === 'owner');
    }
    await this.friendships.removeUser(userId);
    await this.users.delete(userId);
    // Their direct chats lost a friendship: the cached friendship rule must be re-read.
    this.tx.afterCommit(() => this.cache.userChanged(userId));
  }
}
