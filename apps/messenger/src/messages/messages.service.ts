import { Injectable } from '@nestjs/common';
import { SocketApi, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { ChatAccess } from '../chats/chat-access';
import { chatNotFound, forbidden, notAMember } from '../chats/chats.errors';
import { ChatsRepository, Membership } from '../chats/chats.repository';
import { ClientNotifier } from '../realtime/client-notifier';
import { Timeline, TimelineEventView, toTimelineEventView } from '../timeline/timeline';
import type { TimelineChange } from '../timeline/timeline.repository';
import { TimelineRepository } from '../timeline/timeline.repository';
import { MessageRow, MessageView, toMessageView } from './message.view';
import {
  clientMessageIdReused,
  messageDeleted,
  messageNotFound,
  notAMessageOfTheChat,
} from './messages.errors';
import { DuplicateClientMessageId, MessagesRepository } from './messages.repository';

/** One chat of a `sync` answer. */
export interface SyncedChat {
  chatId: string;
  /** Oldest first. */
  events: TimelineEventView[];
  /** More events follow the last one: call `sync` again from its seq. */
  hasMore: boolean;
}

type MessageRef = { chatId: string; messageId: string };

/**
 * The messages of a chat's timeline: sending (numbered, idempotent), editing, deleting,
 * reactions, read markers, typing, and reading them back (one, a page, a search, or the
 * timeline a reconnecting client missed). Every change is pushed to the members after it
 * commits, never before.
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly access: ChatAccess,
    private readonly chats: ChatsRepository,
    private readonly messages: MessagesRepository,
    private readonly timeline: Timeline,
    private readonly events: TimelineRepository,
    private readonly publisher: EventPublisher,
    private readonly notifier: ClientNotifier,
    private readonly tx: TransactionHost,
  ) {}

  /**
   * Stores a message from `senderId`, publishes `messenger.message.sent.v1` with it and,
   * once committed, pushes `message:new` to every member's devices (the sender's other
   * devices too). Sending the same `clientMessageId` again returns the stored message
   * and pushes nothing.
   */
  async send(
    senderId: string,
    input: { chatId: string; clientMessageId: string; text: string; replyToId?: string },
  ): Promise<MessageView> {
    await this.access.writer(input.chatId, senderId);
    if (input.replyToId && (await this.messages.seqOf(input.chatId, input.replyToId)) === null) {
      throw notAMessageOfTheChat('replyToId');
    }
    try {
      return await this.tx.run(async () => {
        const stored = await this.messages.insertAsNext({
          id: randomUUID(),
          chatId: input.chatId,
          senderId,
          text: input.text,
          clientMessageId: input.clientMessageId,
          replyToId: input.replyToId ?? null,
        });
        if (!stored) throw chatNotFound();
        const memberIds = await this.chats.recordMessage(
          input.chatId,
          senderId,
          Number(stored.seq),
        );
        // Read under the chat row's lock: a removal that committed after the check above
        // wins, and this send rolls back.
        if (!memberIds.includes(senderId)) throw notAMember();
        await this.publisher.publish(
          Topics.MessageSent,
          { messageId: stored.id, chatId: stored.chat_id, senderId, memberIds },
          { key: stored.chat_id },
        );
        const view = toMessageView(stored);
        this.tx.afterCommit(() =>
          this.notifier.toUsers(memberIds, 'message:new', { message: view }),
        );
        return view;
      });
    } catch (error) {
      // A resend (or a concurrent one got there first): our transaction rolled back, seq
      // included, and the stored message is the answer. Resends are rare, so they pay for
      // this rather than every send paying a lookup up front.
      if (!(error instanceof DuplicateClientMessageId)) throw error;
      const resent = await this.messages.findByClientMessageId(senderId, input.clientMessageId);
      if (!resent) throw error;
      if (resent.chat_id !== input.chatId) throw clientMessageIdReused();
      return toMessageView(resent);
    }
  }

  /** Changes the text of the caller's own message; keeps `createdAt`, sets `editedAt`. */
  async edit(userId: string, input: MessageRef & { text: string }): Promise<MessageView> {
    await this.access.member(input.chatId, userId);
    return this.change(userId, input, async (message) => {
      if (message.sender_id !== userId) throw forbidden('Only the author can edit a message');
      if (message.deleted_at) throw messageDeleted();
      if (message.text === input.text) return null;
      await this.messages.edit(message.id, input.text);
      return { type: 'message.edited', actorId: userId, messageId: message.id };
    });
  }

  /**
   * Deletes a message, leaving a tombstone: its author may, and in a group its owner and
   * admins. Deleting a tombstone again changes nothing.
   */
  async delete(userId: string, input: MessageRef): Promise<void> {
    const membership = await this.access.member(input.chatId, userId);
    await this.change(userId, input, async (message) => {
      if (message.sender_id !== userId && !moderates(membership)) {
        throw forbidden("Only the author or the group's owner and admins can delete a message");
      }
      if (message.deleted_at) return null;
      await this.messages.tombstone([message.id]);
      return { type: 'message.deleted', actorId: userId, messageId: message.id };
    });
  }

  /** Adds the caller's `emoji` to a message; reacting twice the same way changes nothing. */
  async react(userId: string, input: MessageRef & { emoji: string }, add: boolean): Promise<void> {
    await this.access.writer(input.chatId, userId);
    await this.change(userId, input, async (message) => {
      if (message.deleted_at) throw messageDeleted();
      const changed = add
        ? await this.messages.addReaction(message.id, userId, input.emoji)
        : await this.messages.removeReaction(message.id, userId, input.emoji);
      if (!changed) return null;
      return {
        type: add ? 'reaction.added' : 'reaction.removed',
        actorId: userId,
        messageId: message.id,
        emoji: input.emoji,
      };
    });
  }

  /** One message of the chat as it is now. */
  async get(userId: string, input: MessageRef): Promise<MessageView> {
    await this.access.member(input.chatId, userId);
    const message = await this.messages.find(input.chatId, input.messageId);
    if (!message) throw messageNotFound();
    return toMessageView(message);
  }

  /** A page of the chat's messages older than `before`, newest first, as they are now. */
  async history(
    userId: string,
    input: { chatId: string; before?: string; limit?: number },
  ): Promise<MessageView[]> {
    await this.access.member(input.chatId, userId);
    let beforeSeq: number | null = null;
    if (input.before) {
      beforeSeq = await this.messages.seqOf(input.chatId, input.before);
      if (beforeSeq === null) throw notAMessageOfTheChat('before');
    }
    const page = await this.messages.page(
      input.chatId,
      beforeSeq,
      input.limit ?? SocketApi.DEFAULT_HISTORY_LIMIT,
    );
    return page.map(toMessageView);
  }

  /**
   * Full-text search over the caller's own chats (or one of them), newest first; `before`
   * is the last message of the previous page.
   */
  async search(
    userId: string,
    input: { query: string; chatId?: string; before?: string; limit?: number },
  ): Promise<MessageView[]> {
    if (input.chatId) await this.access.member(input.chatId, userId);
    let cursor = null;
    if (input.before) {
      const [before] = await this.messages.findMany([input.before]);
      // Only a message the caller can read is a cursor; any other id reveals nothing.
      if (!before || !(await this.chats.membership(before.chat_id, userId))) {
        throw notAMessageOfTheChat('before');
      }
      cursor = { createdAt: before.created_at, id: before.id };
    }
    const rows = await this.messages.search({
      userId,
      query: input.query,
      chatId: input.chatId ?? null,
      cursor,
      limit: input.limit ?? SocketApi.DEFAULT_SEARCH_LIMIT,
    });
    return rows.map(toMessageView);
  }

  /**
   * What a reconnecting client missed: per chat, the timeline events after the `seq` it
   * has, oldest first, at most `limit` each (`hasMore` says to ask again from the last one).
   * Read from the database, so it does not matter which instance the client was on.
   */
  async sync(
    userId: string,
    input: { chats: Array<{ chatId: string; afterSeq: number }>; limit?: number },
  ): Promise<SyncedChat[]> {
    const limit = input.limit ?? SocketApi.DEFAULT_SYNC_LIMIT;
    const result: SyncedChat[] = [];
    for (const { chatId, afterSeq } of input.chats) {
      await this.access.member(chatId, userId);
      // One extra row tells whether there is more without a count.
      const rows = await this.events.after(chatId, afterSeq, limit + 1);
      const page = rows.slice(0, limit);
      const messageIds = page
        .filter((e) => e.type.startsWith('message.') && e.messageId)
        .map((e) => e.messageId as string);
      const messages = new Map(
        (await this.messages.findMany([...new Set(messageIds)])).map((row) => [
          row.id,
          toMessageView(row),
        ]),
      );
      result.push({
        chatId,
        events: page.map((event) => toTimelineEventView(event, messages)),
        hasMore: rows.length > limit,
      });
    }
    return result;
  }

  /**
   * Moves the reader's marker in the chat up to `messageId` (never back) and, when it
   * moved, tells the chat's members (the reader's other devices too) after commit.
   */
  async markRead(userId: string, input: MessageRef): Promise<void> {
    const membership = await this.access.member(input.chatId, userId, true);
    const seq = await this.messages.seqOf(input.chatId, input.messageId);
    if (seq === null) throw notAMessageOfTheChat('messageId');
    await this.tx.run(async () => {
      if (!(await this.chats.markRead(input.chatId, userId, seq))) return;
      this.tx.afterCommit(() =>
        this.notifier.toUsers(membership.memberIds, 'message:read', {
          chatId: input.chatId,
          userId,
          messageId: input.messageId,
        }),
      );
    });
  }

  /** Relays "`userId` is typing" to the chat's other members; nothing is stored. */
  async typing(userId: string, chatId: string): Promise<void> {
    // One read serves the membership check, the friendship rule of direct chats and the
    // fan-out: typing is the hottest relay (bench A1).
    const { memberIds } = await this.access.writer(chatId, userId, true);
    this.notifier.toUsers(memberIds, 'typing', { chatId, userId }, { exceptUserId: userId });
  }

  /**
   * Applies one change to a message of the chat under the chat row's lock, records it as
   * a timeline event and, after commit, pushes `message:updated` with the message as it
   * now is. `apply` returns null when there is nothing to change (no event, no push).
   */
  private async change(
    userId: string,
    input: MessageRef,
    apply: (message: MessageRow) => Promise<TimelineChange | null>,
  ): Promise<MessageView> {
    return this.tx.run(async () => {
      await this.chats.lock(input.chatId);
      // Re-read under the lock: a removal that committed after the caller's check wins.
      const memberIds = await this.chats.memberIds(input.chatId);
      if (!memberIds.includes(userId)) throw notAMember();
      const message = await this.messages.find(input.chatId, input.messageId);
      if (!message) throw messageNotFound();
      const change = await apply(message);
      if (!change) return toMessageView(message);
      const [event] = await this.timeline.record(input.chatId, [change]);
      const updated = await this.messages.find(input.chatId, input.messageId);
      const view = toMessageView(updated ?? message);
      this.tx.afterCommit(() =>
        this.notifier.toUsers(memberIds, 'message:updated', { seq: event.seq, message: view }),
      );
      return view;
    });
  }
}

/** Owners and admins of a group may delete others' messages. */
const moderates = (membership: Membership): boolean =>
  membership.kind === 'group' && (membership.role === 'owner' || membership.role === 'admin');
