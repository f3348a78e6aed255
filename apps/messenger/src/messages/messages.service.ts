import { Injectable } from '@nestjs/common';
import { SocketApi } from '@app/contracts';
import { TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { ChatAccess } from '../chats/chat-access';
import { forbidden, notAMember } from '../chats/chats.errors';
import { ChatsRepository } from '../chats/chats.repository';
import { ClientNotifier } from '../realtime/client-notifier';
import { TimelineEventView, toTimelineEventView } from '../timeline/timeline';
import type {
  TimelineWrite,
  WriteOutcome,
  WriteResult,
} from '../timeline/timeline-flush.repository';
import { TimelineWriter } from '../timeline/timeline-writer';
import { TimelineRepository } from '../timeline/timeline.repository';
import { MessageRow, MessageView, toMessageView } from './message.view';
import {
  clientMessageIdReused,
  messageDeleted,
  messageNotFound,
  notAMessageOfTheChat,
} from './messages.errors';
import { MessagesRepository } from './messages.repository';

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
    private readonly events: TimelineRepository,
    private readonly writer: TimelineWriter,
    private readonly notifier: ClientNotifier,
    private readonly tx: TransactionHost,
  ) {}

  /**
   * Stores a message from `senderId` as the chat's next event, publishes
   * `messenger.message.sent.v1` with it and, once committed, pushes `message:new` to every
   * member's devices (the sender's other devices too). Sending the same `clientMessageId`
   * again returns the stored message and pushes nothing. The write goes by group commit
   * ({@link TimelineWriter}): membership, the resend and the reply are checked there,
   * under the chat row's lock.
   */
  async send(
    senderId: string,
    input: { chatId: string; clientMessageId: string; text: string; replyToId?: string },
  ): Promise<MessageView> {
    await this.access.cachedWriter(input.chatId, senderId);
    // The view pushed is the view acknowledged: built once per stored send.
    let view: MessageView | undefined;
    const result = await this.writer.write(
      {
        kind: 'send',
        chatId: input.chatId,
        actorId: senderId,
        messageId: randomUUID(),
        clientMessageId: input.clientMessageId,
        text: input.text,
        replyToId: input.replyToId ?? null,
      },
      // Pushed by the writer as the flush commits, in queue order: a chat's in seq order.
      (committed) => {
        if (committed.outcome !== 'stored') return;
        view = toMessageView(stored(committed));
        this.notifier.toUsers(committed.memberIds, 'message:new', { message: view });
      },
    );
    if (result.outcome === 'stored' || result.outcome === 'duplicate') {
      return view ?? toMessageView(stored(result));
    }
    throw refusal(result.outcome, 'A message cannot be sent here');
  }

  /** Changes the text of the caller's own message; keeps `createdAt`, sets `editedAt`. */
  async edit(userId: string, input: MessageRef & { text: string }): Promise<MessageView> {
    await this.access.cachedMember(input.chatId, userId);
    return this.change(
      {
        kind: 'edit',
        chatId: input.chatId,
        actorId: userId,
        messageId: input.messageId,
        text: input.text,
      },
      'Only the author can edit a message',
    );
  }

  /**
   * Deletes a message, leaving a tombstone: its author may, and in a group its owner and
   * admins (their role checked under the chat row's lock). Deleting a tombstone again
   * changes nothing.
   */
  async delete(userId: string, input: MessageRef): Promise<void> {
    await this.access.cachedMember(input.chatId, userId);
    await this.change(
      { kind: 'delete', chatId: input.chatId, actorId: userId, messageId: input.messageId },
      "Only the author or the group's owner and admins can delete a message",
    );
  }

  /** Adds the caller's `emoji` to a message; reacting twice the same way changes nothing. */
  async react(userId: string, input: MessageRef & { emoji: string }, add: boolean): Promise<void> {
    await this.access.cachedWriter(input.chatId, userId);
    await this.change(
      {
        kind: add ? 'react_add' : 'react_remove',
        chatId: input.chatId,
        actorId: userId,
        messageId: input.messageId,
        emoji: input.emoji,
      },
      'Only members can react',
    );
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

  /**
   * Relays "`userId` is typing" to the chat's other members; nothing is stored. The
   * hottest relay (bench A1): membership and the fan-out come from the in-process cache,
   * so a signal costs no query.
   */
  async typing(userId: string, chatId: string): Promise<void> {
    const { memberIds } = await this.access.cachedWriter(chatId, userId);
    this.notifier.toUsers(memberIds, 'typing', { chatId, userId }, { exceptUserId: userId });
  }

  /**
   * Applies an edit, delete or reaction by group commit and, after commit, pushes
   * `message:updated` with the message as it now is. A change that changes nothing
   * answers the message as it is, with no event and no push.
   */
  private async change(
    write: Exclude<TimelineWrite, { kind: 'send' }>,
    forbiddenMessage: string,
  ): Promise<MessageView> {
    let view: MessageView | undefined;
    const result = await this.writer.write(write, (committed) => {
      if (committed.outcome !== 'changed') return;
      view = toMessageView(stored(committed));
      this.notifier.toUsers(committed.memberIds, 'message:updated', {
        seq: committed.seq as number,
        message: view,
      });
    });
    if (result.outcome === 'changed' || result.outcome === 'unchanged') {
      return view ?? toMessageView(stored(result));
    }
    throw refusal(result.outcome, forbiddenMessage);
  }
}

/** The message a stored, duplicate, changed or unchanged write answers with. */
function stored(result: WriteResult): MessageRow {
  if (!result.message) throw new Error(`a ${result.outcome} write came back without its message`);
  return result.message;
}

/** The error a write the flush refused is answered with. */
function refusal(outcome: WriteOutcome, forbiddenMessage: string): Error {
  switch (outcome) {
    case 'not_member':
      return notAMember();
    case 'reused':
      return clientMessageIdReused();
    case 'reply_not_found':
      return notAMessageOfTheChat('replyToId');
    case 'message_not_found':
      return messageNotFound();
    case 'message_deleted':
      return messageDeleted();
    case 'forbidden':
      return forbidden(forbiddenMessage);
    case 'stored':
    case 'duplicate':
    case 'changed':
    case 'unchanged':
      return new Error(`a ${outcome} write is not a refusal`);
  }
}
