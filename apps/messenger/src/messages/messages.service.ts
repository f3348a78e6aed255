import { Injectable } from '@nestjs/common';
import { Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { chatNotFound, notAMember } from '../chats/chats.errors';
import { ChatsRepository } from '../chats/chats.repository';
import { ClientNotifier } from '../realtime/client-notifier';
import { DEFAULT_HISTORY_LIMIT } from './dto/message-history.dto';
import { DEFAULT_SYNC_LIMIT } from './dto/sync.dto';
import type { MessageEntity } from './entities/message.entity';
import { MessageView, toMessageView } from './message.view';
import { clientMessageIdReused, unknownCursor, unknownMessage } from './messages.errors';
import { DuplicateClientMessageId, MessagesRepository } from './messages.repository';

/** One chat of a `sync` answer. */
export interface SyncedChat {
  chatId: string;
  /** Oldest first. */
  messages: MessageView[];
  /** More messages follow the last one: call `sync` again from its seq. */
  hasMore: boolean;
}

/** Sending messages (numbered, idempotent, pushed to every member) and reading history. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly chats: ChatsRepository,
    private readonly messages: MessagesRepository,
    private readonly events: EventPublisher,
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
    input: { chatId: string; clientMessageId: string; text: string },
  ): Promise<MessageView> {
    await this.requireMember(input.chatId, senderId);
    try {
      return await this.tx.run(async () => {
        const seq = await this.chats.nextSeq(input.chatId);
        if (seq === null) throw chatNotFound();
        const message = await this.messages.insert({
          id: randomUUID(),
          chatId: input.chatId,
          senderId,
          seq,
          text: input.text,
          clientMessageId: input.clientMessageId,
        });
        const memberIds = await this.chats.recordMessage(input.chatId, senderId, seq);
        await this.events.publish(
          Topics.MessageSent,
          { messageId: message.id, chatId: message.chatId, senderId, memberIds },
          { key: message.chatId },
        );
        const view = toMessageView(message);
        // Never before commit: a client must not see a message that may yet roll back.
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
      const stored = await this.messages.findByClientMessageId(senderId, input.clientMessageId);
      if (!stored) throw error;
      return this.resent(stored, input.chatId);
    }
  }

  /** A page of the chat's messages older than `before`, newest first. */
  async history(
    userId: string,
    input: { chatId: string; before?: string; limit?: number },
  ): Promise<MessageView[]> {
    await this.requireMember(input.chatId, userId);
    let beforeSeq: number | null = null;
    if (input.before) {
      const cursor = await this.messages.findById(input.before);
      if (!cursor || cursor.chatId !== input.chatId) throw unknownCursor();
      beforeSeq = cursor.seq;
    }
    const page = await this.messages.page(
      input.chatId,
      beforeSeq,
      input.limit ?? DEFAULT_HISTORY_LIMIT,
    );
    return page.map(toMessageView);
  }

  /**
   * What a reconnecting client missed: per chat, the messages after the `seq` it has,
   * oldest first, at most `limit` each (`hasMore` says to ask again from the last one).
   * Read from the database, so it does not matter which instance the client was on.
   */
  async sync(
    userId: string,
    input: { chats: Array<{ chatId: string; afterSeq: number }>; limit?: number },
  ): Promise<SyncedChat[]> {
    const limit = input.limit ?? DEFAULT_SYNC_LIMIT;
    const result: SyncedChat[] = [];
    for (const { chatId, afterSeq } of input.chats) {
      await this.requireMember(chatId, userId);
      // One extra row tells whether there is more without a count.
      const rows = await this.messages.after(chatId, afterSeq, limit + 1);
      result.push({
        chatId,
        messages: rows.slice(0, limit).map(toMessageView),
        hasMore: rows.length > limit,
      });
    }
    return result;
  }

  /**
   * Moves the reader's marker in the chat up to `messageId` (never back) and, when it
   * moved, tells the chat's members (the reader's other devices too) after commit.
   */
  async markRead(userId: string, input: { chatId: string; messageId: string }): Promise<void> {
    await this.requireMember(input.chatId, userId);
    const message = await this.messages.findById(input.messageId);
    if (!message || message.chatId !== input.chatId) throw unknownMessage();
    await this.tx.run(async () => {
      if (!(await this.chats.markRead(input.chatId, userId, message.seq))) return;
      const memberIds = await this.chats.memberIds(input.chatId);
      this.tx.afterCommit(() =>
        this.notifier.toUsers(memberIds, 'message:read', {
          chatId: input.chatId,
          userId,
          messageId: message.id,
        }),
      );
    });
  }

  /** Relays "`userId` is typing" to the chat's other members; nothing is stored. */
  async typing(userId: string, chatId: string): Promise<void> {
    // One read serves both the membership check and the fan-out: typing is the hottest
    // relay, and a second round trip per signal halved its throughput (bench A1).
    const memberIds = await this.chats.memberIds(chatId);
    if (!memberIds.includes(userId)) throw notAMember();
    this.notifier.toUsers(memberIds, 'typing', { chatId, userId }, { exceptUserId: userId });
  }

  private resent(message: MessageEntity, chatId: string): MessageView {
    if (message.chatId !== chatId) throw clientMessageIdReused();
    return toMessageView(message);
  }

  /** A missing chat gets the same answer as a foreign one, so ids reveal nothing. */
  private async requireMember(chatId: string, userId: string): Promise<void> {
    if (!(await this.chats.isMember(chatId, userId))) throw notAMember();
  }
}
