import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { type MessageSearch, messageSearchQuery } from './message-search.query';
import { MESSAGE_COLUMNS, MessageRow } from './message.view';

/**
 * Reads of messages, and the erasure of a deleted account's. Sends, edits, deletes and
 * reactions are written by the timeline's group commit (timeline-flush.repository.ts).
 */
@Injectable()
export class MessagesRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** A message of the chat with its reactions, or null when the chat has no such message. */
  async find(chatId: string, messageId: string): Promise<MessageRow | null> {
    const rows: MessageRow[] = await this.tx.manager.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1 AND m.chat_id = $2`,
      [messageId, chatId],
    );
    return rows[0] ?? null;
  }

  /** Messages by id, with their reactions (those that exist). */
  async findMany(messageIds: readonly string[]): Promise<MessageRow[]> {
    if (messageIds.length === 0) return [];
    return this.tx.manager.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = ANY($1::uuid[])`,
      [messageIds],
    );
  }

  /** The seq of a message of the chat, or null. */
  async seqOf(chatId: string, messageId: string): Promise<number | null> {
    const rows: Array<{ seq: string }> = await this.tx.manager.query(
      `SELECT seq FROM messages WHERE id = $1 AND chat_id = $2`,
      [messageId, chatId],
    );
    return rows[0] ? Number(rows[0].seq) : null;
  }

  /** Up to `limit` messages of a chat with a seq below `beforeSeq` (all if null), newest first. */
  async page(chatId: string, beforeSeq: number | null, limit: number): Promise<MessageRow[]> {
    // Keyset on the (chat_id, seq) unique index: each page costs the same, however deep.
    return this.tx.manager.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m
        WHERE m.chat_id = $1 AND ($2::bigint IS NULL OR m.seq < $2::bigint)
        ORDER BY m.seq DESC
        LIMIT $3`,
      [chatId, beforeSeq, limit],
    );
  }

  /**
   * Full-text search over the messages of the chats `userId` is a member of (one chat if
   * `chatId` is given), deleted ones excluded, newest first, `limit` after `cursor`. The
   * match runs on the GIN index of the generated `search` vector.
   */
  async search(input: MessageSearch): Promise<MessageRow[]> {
    const { sql, params } = messageSearchQuery(input);
    return this.tx.manager.query(sql, params);
  }

  /**
   * Erases what a deleted account wrote: its messages become tombstones (so other
   * members' timelines keep their seqs and replies) and its reactions go.
   */
  async eraseAuthor(userId: string): Promise<void> {
    await this.tx.manager.query(`DELETE FROM message_reactions WHERE user_id = $1`, [userId]);
    await this.tx.manager.query(
      `DELETE FROM message_reactions
        WHERE message_id IN (SELECT id FROM messages WHERE sender_id = $1)`,
      [userId],
    );
    await this.tx.manager.query(
      `UPDATE messages SET text = '', deleted_at = COALESCE(deleted_at, now())
        WHERE sender_id = $1`,
      [userId],
    );
  }
}
