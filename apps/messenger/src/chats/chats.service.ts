import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { FriendshipChecker } from '../friends-client/friendship-checker';
import { toMessageView } from '../messages/message.view';
import type { ChatSummaryView, ChatView } from './chat.view';
import { invalidMembers, notFriends } from './chats.errors';
import { ChatsRepository } from './chats.repository';
import type { ChatEntity } from './entities/chat.entity';

/** The one key of the direct chat between two users, whoever creates it. */
export const directKeyOf = (a: string, b: string): string => [a, b].sort().join(':');

/** Chats: creating direct and group chats, and a user's chat list. */
@Injectable()
export class ChatsService {
  constructor(
    private readonly chats: ChatsRepository,
    private readonly friendships: FriendshipChecker,
    private readonly tx: TransactionHost,
  ) {}

  /**
   * Creates a chat of `userId` with `memberIds`. One other member makes a direct chat,
   * allowed between friends only and created once per pair (asking again returns it);
   * more make a group.
   */
  async create(userId: string, input: { memberIds: string[]; title?: string }): Promise<ChatView> {
    const others = [...new Set(input.memberIds)].filter((id) => id !== userId);
    if (others.length === 0) throw invalidMembers('A chat needs at least one other member');
    return others.length === 1
      ? this.createDirect(userId, others[0])
      : this.createGroup(userId, others, input.title?.trim() ?? '');
  }

  /** The user's chats, most recently active first, with last message and unread count. */
  async list(userId: string): Promise<ChatSummaryView[]> {
    const rows = await this.chats.listForUser(userId);
    return rows.map(({ chat, memberIds, members, unreadCount, lastMessage }) => ({
      ...toChatView(chat, memberIds),
      members,
      lastMessage: lastMessage ? toMessageView(lastMessage) : null,
      unreadCount,
    }));
  }

  private async createDirect(userId: string, otherId: string): Promise<ChatView> {
    // Checked even when the chat exists: a chat between former friends is not reopened.
    const relation = await this.friendships.check(userId, otherId);
    if (!relation.friends || relation.blocked) throw notFriends();

    const directKey = directKeyOf(userId, otherId);
    const existing = await this.chats.findDirectByKey(directKey);
    if (existing) return toChatView(existing, await this.chats.memberIds(existing.id));

    return this.tx.run(async () => {
      const created = await this.chats.insertIfAbsent({
        id: randomUUID(),
        kind: 'direct',
        title: null,
        createdBy: userId,
        directKey,
      });
      if (!created) {
        // Both users opened the chat at the same moment and the other request won.
        const winner = await this.chats.findDirectByKey(directKey);
        if (!winner) throw new Error(`direct chat ${directKey} conflicted but is not there`);
        return toChatView(winner, await this.chats.memberIds(winner.id));
      }
      const memberIds = sortedMembers([userId, otherId]);
      await this.chats.addMembers(created.id, memberIds);
      return toChatView(created, memberIds);
    });
  }

  private async createGroup(userId: string, others: string[], title: string): Promise<ChatView> {
    return this.tx.run(async () => {
      const chat = await this.chats.insertIfAbsent({
        id: randomUUID(),
        kind: 'group',
        title,
        createdBy: userId,
        directKey: null,
      });
      if (!chat) throw new Error('a fresh group chat id collided');
      const memberIds = sortedMembers([userId, ...others]);
      await this.chats.addMembers(chat.id, memberIds);
      return toChatView(chat, memberIds);
    });
  }
}

/** Founding members join together, so the list order (join time, then id) is by id. */
const sortedMembers = (ids: string[]): string[] => [...ids].sort();

export const toChatView = (chat: ChatEntity, memberIds: string[]): ChatView => ({
  id: chat.id,
  kind: chat.kind,
  title: chat.title,
  memberIds,
  createdAt: chat.createdAt.toISOString(),
});
