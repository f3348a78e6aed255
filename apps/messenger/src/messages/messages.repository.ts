import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { MESSAGE_COLUMNS, MessageRow } from './message.view';

/** The sender already stored a message under this clientMessageId. */
export class DuplicateClientMessageId extends Error {
  constructor() {
    super('duplicate (sender_id, client_message_id)');
    this.name = 'DuplicateClientMessageId';
  }
}

/** What a send stores. */
export interface NewMessage {
  id: string;
  chatId: string;
  senderId: string;
  text: string;
  clientMessageId: string;
  replyToId: string | null;
}

/** Where a search page starts: strictly older than this message. */
export interface SearchCursor {
  createdAt: Date;
  id: string;
}

@Injectable()
export class MessagesRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Stores a message as the chat's next timeline event (`message.created`), in one
   * statement: the seq is taken from `chats.last_seq` (whose row lock then queues every
   * other writer of the chat until commit), the message and its event are inserted.
   * Resolves the stored row, or null when the chat does not exist. Throws
   * {@link DuplicateClientMessageId} when the sender already stored a message under this
   * key (a resend, or a concurrent one that got there first): the caller's transaction
   * must then roll back, giving back the seq it took.
   */
  async insertAsNext(message: NewMessage): Promise<MessageRow | null> {
    // ON CONFLICT instead of a unique violation: a resend is an expected answer, not a
    // server-side error in PostgreSQL's log.
    const rows: Array<MessageRow & { bumped_seq: string }> = await this.tx.manager.query(
      `WITH bumped AS (
         UPDATE chats SET last_seq = last_seq + 1 WHERE id = $2 RETURNING last_seq
       ), stored AS (
         INSERT INTO messages (id, chat_id, sender_id, seq, text, client_message_id, reply_to_id)
         SELECT $1, $2, $3, last_seq, $4, $5, $6 FROM bumped
         ON CONFLICT ON CONSTRAINT messages_sender_client_id_key DO NOTHING
         RETURNING id, chat_id, sender_id, seq, text, client_message_id, created_at,
                   reply_to_id, edited_at, deleted_at
       ), event AS (
         INSERT INTO chat_events (chat_id, seq, type, actor_id, at, message_id)
         SELECT chat_id, seq, 'message.created', sender_id, created_at, id FROM stored
       )
       SELECT b.last_seq AS bumped_seq, s.* FROM bumped b LEFT JOIN stored s ON true`,
      [
        message.id,
        message.chatId,
        message.senderId,
        message.text,
        message.clientMessageId,
        message.replyToId,
      ],
    );
    if (!rows[0]) return null;
    if (rows[0].id === null) throw new DuplicateClientMessageId();
    return rows[0];
  }

  /** The message a sender stored under `clientMessageId` (a resend's answer), if any. */
  async findByClientMessageId(
    senderId: string,
    clientMessageId: string,
  ): Promise<MessageRow | null> {
    const rows: MessageRow[] = await this.tx.manager.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m
        WHERE m.sender_id = $1 AND m.client_message_id = $2`,
      [senderId, clientMessageId],
    );
    return rows[0] ?? null;
  }

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
  async search(input: {
    userId: string;
    query: string;
    chatId: string | null;
    cursor: SearchCursor | null;
    limit: number;
  }): Promise<MessageRow[]> {
    return this.tx.manager.query(
      `SELECT ${MESSAGE_COLUMNS}
         FROM messages m
         JOIN chat_members cm ON cm.chat_id = m.chat_id AND cm.user_id = $1
        WHERE m.search @@ websearch_to_tsquery('simple', $2)
          AND m.deleted_at IS NULL
          AND ($3::uuid IS NULL OR m.chat_id = $3::uuid)
          AND ($4::timestamptz IS NULL OR (m.created_at, m.id) < ($4::timestamptz, $5::uuid))
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT $6`,
      [
        input.userId,
        input.query,
        input.chatId,
        input.cursor?.createdAt ?? null,
        input.cursor?.id ?? null,
        input.limit,
      ],
    );
  }

  /** A new text for a message, marked edited. */
  async edit(messageId: string, text: string): Promise<void> {
    await this.tx.manager.query(`UPDATE messages SET text = $2, edited_at = now() WHERE id = $1`, [
      messageId,
      text,
    ]);
  }

  /**
   * Leaves a tombstone: the text erased from the row (not just hidden), the reactions
   * gone; the row, its seq and answers to it stay.
   */
  async tombstone(messageIds: readonly string[]): Promise<void> {
    await this.tx.manager.query(
      `DELETE FROM message_reactions WHERE message_id = ANY($1::uuid[])`,
      [messageIds],
    );
    await this.tx.manager.query(
      `UPDATE messages SET text = '', deleted_at = COALESCE(deleted_at, now())
        WHERE id = ANY($1::uuid[])`,
      [messageIds],
    );
  }

  /** Records a reaction; false when the user already reacted so. */
  async addReaction(messageId: string, userId: string, emoji: string): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `INSERT INTO message_reactions (message_id, user_id, emoji) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [messageId, userId, emoji],
    );
    return rows.length > 0;
  }

  /** Takes a reaction back; false when there was none. */
  async removeReaction(messageId: string, userId: string, emoji: string): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `WITH gone AS (
         DELETE FROM message_reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3
         RETURNING 1
       )
       SELECT * FROM gone`,
      [messageId, userId, emoji],
    );
    return rows.length > 0;
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
