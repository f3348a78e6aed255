import { Injectable } from '@nestjs/common';
import { SocketApi } from '@app/contracts';
import { TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { toMessageView } from '../messages/message.view';
import { ClientNotifier } from '../realtime/client-notifier';
import { Timeline, toTimelineEventView } from '../timeline/timeline';
import type { TimelineChange, TimelineRow } from '../timeline/timeline.repository';
import { ChatAccess } from './chat-access';
import type { ChatSummaryView, ChatView } from './chat.view';
import { chatNotFound, forbidden, invalidMembers } from './chats.errors';
import { ChatsRepository } from './chats.repository';
import { MembershipCache } from './membership-cache';
import type { ChatEntity } from './entities/chat.entity';

/** The one key of the direct chat between two users, whoever creates it. */
export const directKeyOf = (a: string, b: string): string => [a, b].sort().join(':');

/**
 * Chats and their members: creating direct chats and groups, the chat list, and the
 * group administration (rename, add, remove, roles, leave). Every membership or title
 * change is a timeline event, pushed as `chat:updated` to the members after commit.
 */
@Injectable()
export class ChatsService {
  constructor(
    private readonly chats: ChatsRepository,
    private readonly access: ChatAccess,
    private readonly timeline: Timeline,
    private readonly notifier: ClientNotifier,
    private readonly tx: TransactionHost,
    private readonly cache: MembershipCache,
  ) {}

  /**
   * Creates a chat of `userId` with `memberIds`. One other member makes a direct chat,
   * created once per pair (asking again returns it); more make a group owned by the
   * creator. Every other member must be a user the creator may add (see
   * {@link ChatAccess.mayAdd}). The new chat's members get `chat:created`.
   */
  async create(userId: string, input: { memberIds: string[]; title?: string }): Promise<ChatView> {
    const others = [...new Set(input.memberIds)].filter((id) => id !== userId);
    if (others.length === 0) throw invalidMembers('A chat needs at least one other member');
    if (others.length + 1 > SocketApi.MAX_GROUP_MEMBERS) {
      throw invalidMembers(`A group has at most ${SocketApi.MAX_GROUP_MEMBERS} members`);
    }
    // Checked even when a direct chat exists: a chat between former friends is not reopened.
    await this.access.mayAdd(userId, others);
    return others.length === 1
      ? this.createDirect(userId, others[0])
      : this.createGroup(userId, others, input.title?.trim() || null);
  }

  /** A chat of the caller. */
  async get(userId: string, chatId: string): Promise<ChatView> {
    await this.access.member(chatId, userId);
    return this.view(chatId);
  }

  /** The user's chats, most recently active first, with last message and unread count. */
  async list(userId: string): Promise<ChatSummaryView[]> {
    const rows = await this.chats.listForUser(userId);
    return rows.map(({ chat, members, unreadCount, lastMessage }) => ({
      ...toChatView(chat, members),
      members,
      lastMessage: lastMessage ? toMessageView(lastMessage) : null,
      unreadCount,
    }));
  }

  /** Renames a group (owner or admin). An unchanged title changes nothing. */
  async rename(userId: string, input: { chatId: string; title: string }): Promise<ChatView> {
    await this.access.groupRole(input.chatId, userId, ['owner', 'admin']);
    return this.tx.run(async () => {
      await this.chats.lock(input.chatId);
      const chat = await this.chats.findById(input.chatId);
      if (!chat) throw chatNotFound();
      if (chat.title === input.title) return this.view(input.chatId);
      await this.chats.setTitle(input.chatId, input.title);
      const [event] = await this.timeline.record(input.chatId, [
        { type: 'chat.renamed', actorId: userId, title: input.title },
      ]);
      return this.announce(input.chatId, [event]);
    });
  }

  /**
   * Adds people to a group (owner or admin), each a user the actor may add; those already
   * in are skipped. One `member.added` event per added user.
   */
  async addMembers(
    userId: string,
    input: { chatId: string; userIds: string[] },
  ): Promise<ChatView> {
    await this.access.groupRole(input.chatId, userId, ['owner', 'admin']);
    const wanted = [...new Set(input.userIds)].filter((id) => id !== userId);
    if (wanted.length === 0) throw invalidMembers('Name at least one other user to add');
    await this.access.mayAdd(userId, wanted);
    return this.tx.run(async () => {
      // Read under the chat row's lock, so two concurrent adds cannot overshoot the limit.
      await this.chats.lock(input.chatId);
      const current = await this.chats.memberIds(input.chatId);
      const added = wanted.filter((id) => !current.includes(id));
      if (added.length === 0) return this.view(input.chatId);
      if (current.length + added.length > SocketApi.MAX_GROUP_MEMBERS) {
        throw invalidMembers(`A group has at most ${SocketApi.MAX_GROUP_MEMBERS} members`);
      }
      const events = await this.timeline.record(
        input.chatId,
        added.map((id): TimelineChange => ({ type: 'member.added', actorId: userId, userId: id })),
      );
      await this.chats.addMembers(
        input.chatId,
        added.map((id) => ({ userId: id, role: 'member' as const })),
      );
      return this.announce(input.chatId, events);
    });
  }

  /**
   * Removes a member from a group: the owner may remove anyone but themselves, an admin
   * only plain members. The removed user gets `chat:updated` once and nothing after.
   */
  async removeMember(userId: string, input: { chatId: string; userId: string }): Promise<void> {
    const actor = await this.access.groupRole(input.chatId, userId, ['owner', 'admin']);
    if (input.userId === userId) throw forbidden('Leave the chat instead of removing yourself');
    await this.tx.run(async () => {
      await this.chats.lock(input.chatId);
      const target = (await this.chats.members(input.chatId)).find(
        (m) => m.userId === input.userId,
      );
      if (!target) throw invalidMembers('That user is not a member of this chat');
      if (target.role === 'owner') throw forbidden("The group's owner cannot be removed");
      if (actor.role === 'admin' && target.role === 'admin') {
        throw forbidden('Only the owner can remove an admin');
      }
      const [event] = await this.timeline.record(input.chatId, [
        { type: 'member.removed', actorId: userId, userId: input.userId },
      ]);
      await this.chats.removeMember(input.chatId, input.userId);
      await this.announce(input.chatId, [event], [input.userId]);
    });
  }

  /** Makes a member an admin, or an admin a member again (the owner only). */
  async setRole(
    userId: string,
    input: { chatId: string; userId: string; role: 'admin' | 'member' },
  ): Promise<void> {
    await this.access.groupRole(input.chatId, userId, ['owner']);
    await this.tx.run(async () => {
      await this.chats.lock(input.chatId);
      const target = (await this.chats.members(input.chatId)).find(
        (m) => m.userId === input.userId,
      );
      if (!target) throw invalidMembers('That user is not a member of this chat');
      if (target.role === 'owner') throw forbidden("The owner's role cannot be changed");
      if (target.role === input.role) return;
      await this.chats.setRole(input.chatId, input.userId, input.role);
      const [event] = await this.timeline.record(input.chatId, [
        { type: 'member.role_changed', actorId: userId, userId: input.userId, role: input.role },
      ]);
      await this.announce(input.chatId, [event]);
    });
  }

  /**
   * The caller leaves a group. A leaving owner hands the group to the longest-standing
   * admin, else the longest-standing member (`member.role_changed` to owner).
   */
  async leave(userId: string, chatId: string): Promise<void> {
    const membership = await this.access.groupRole(chatId, userId, ['owner', 'admin', 'member']);
    await this.tx.run(() => this.depart(chatId, userId, membership.role === 'owner'));
  }

  /**
   * Takes `userId` out of a group (leaving, or their account was deleted), handing
   * ownership on when they own it. Must run in a transaction.
   */
  async depart(chatId: string, userId: string, wasOwner: boolean): Promise<void> {
    await this.chats.lock(chatId);
    const changes: TimelineChange[] = [{ type: 'member.left', actorId: userId, userId }];
    const heir = wasOwner ? await this.chats.successor(chatId, userId) : null;
    if (heir) {
      changes.push({ type: 'member.role_changed', actorId: userId, userId: heir, role: 'owner' });
    }
    const events = await this.timeline.record(chatId, changes);
    await this.chats.removeMember(chatId, userId);
    if (heir) await this.chats.setRole(chatId, heir, 'owner');
    await this.announce(chatId, events, [userId]);
  }

  private async createDirect(userId: string, otherId: string): Promise<ChatView> {
    const directKey = directKeyOf(userId, otherId);
    const existing = await this.chats.findDirectByKey(directKey);
    if (existing) return this.view(existing.id);

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
        return this.view(winner.id);
      }
      await this.chats.addMembers(created.id, sortedMembers([userId, otherId], 'member'));
      return this.created(created);
    });
  }

  private createGroup(userId: string, others: string[], title: string | null): Promise<ChatView> {
    return this.tx.run(async () => {
      const chat = await this.chats.insertIfAbsent({
        id: randomUUID(),
        kind: 'group',
        title,
        createdBy: userId,
        directKey: null,
      });
      if (!chat) throw new Error('a fresh group chat id collided');
      await this.chats.addMembers(chat.id, [
        { userId, role: 'owner' },
        ...sortedMembers(others, 'member'),
      ]);
      return this.created(chat);
    });
  }

  /** The view of a chat just created, pushed to its members as `chat:created` after commit. */
  private async created(chat: ChatEntity): Promise<ChatView> {
    const view = toChatView(chat, await this.chats.members(chat.id));
    const memberIds = view.members.map((m) => m.userId);
    this.tx.afterCommit(() => this.notifier.toUsers(memberIds, 'chat:created', { chat: view }));
    return view;
  }

  /**
   * The chat as it is after `events`, pushed as one `chat:updated` per event after commit
   * to the members and to `formerMembers` (a removed or departed user hears of it once).
   */
  private async announce(
    chatId: string,
    events: TimelineRow[],
    formerMembers: string[] = [],
  ): Promise<ChatView> {
    const chat = await this.view(chatId);
    const to = [...chat.members.map((m) => m.userId), ...formerMembers];
    this.tx.afterCommit(() => {
      // Every instance's membership cache drops the chat before anyone hears of the change.
      this.cache.chatChanged(chatId);
      for (const event of events) {
        this.notifier.toUsers(to, 'chat:updated', {
          seq: event.seq,
          chat,
          event: toTimelineEventView(event),
        });
      }
    });
    return chat;
  }

  private async view(chatId: string): Promise<ChatView> {
    const chat = await this.chats.findById(chatId);
    if (!chat) throw chatNotFound();
    return toChatView(chat, await this.chats.members(chatId));
  }
}

/** Founding members join together, so the list order (join time, then id) is by id. */
const sortedMembers = (ids: string[], role: 'member') =>
  [...ids].sort().map((userId) => ({ userId, role }));

export const toChatView = (
  chat: ChatEntity,
  members: ReadonlyArray<{
    userId: string;
    role: ChatView['members'][number]['role'];
    lastReadSeq: number;
  }>,
): ChatView => ({
  id: chat.id,
  kind: chat.kind,
  title: chat.title,
  createdAt: chat.createdAt.toISOString(),
  lastSeq: chat.lastSeq,
  members: members.map(({ userId, role, lastReadSeq }) => ({ userId, role, lastReadSeq })),
});
