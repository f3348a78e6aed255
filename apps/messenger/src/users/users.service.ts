import { Injectable } from '@nestjs/common';
import { ChatsRepository } from '../chats/chats.repository';
import { FriendshipReplica } from '../friends-client/friendship-replica.repository';
import { MessagesRepository } from '../messages/messages.repository';
import { UsersRepository } from './users.repository';

/** What messenger keeps about users owned elsewhere: names, and erasure on deletion. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly chats: ChatsRepository,
    private readonly messages: MessagesRepository,
    private readonly friendships: FriendshipReplica,
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
   * Erases a deleted account: every message it sent, every membership, its friendships
   * and its name. Other members keep their own messages; the chat's `seq` numbers of the
   * erased messages stay unused (catch-up asks "after seq N", which holes do not break).
   */
  async erase(userId: string): Promise<void> {
    await this.messages.deleteBySender(userId);
    await this.chats.removeMemberEverywhere(userId);
    await this.friendships.removeUser(userId);
    await this.users.delete(userId);
  }
}
