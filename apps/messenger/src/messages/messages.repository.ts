import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { MessageEntity } from './entities/message.entity';

/** The sender already stored a message under this clientMessageId. */
export class DuplicateClientMessageId extends Error {
  constructor() {
    super('duplicate (sender_id, client_message_id)');
    this.name = 'DuplicateClientMessageId';
  }
}

interface MessageRow {
  id: string;
  chat_id: string;
  sender_id: string;
  seq: string;
  text: string;
  client_message_id: string;
  created_at: Date;
}

@Injectable()
export class MessagesRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Stores a message and returns it with its database timestamp. Throws
   * {@link DuplicateClientMessageId} when the sender already stored a message under this
   * key (a resend, or a concurrent one that got there first): the caller's transaction
   * must then roll back, giving back the seq it took.
   */
  async insert(
    message: Pick<MessageEntity, 'id' | 'chatId' | 'senderId' | 'seq' | 'text' | 'clientMessageId'>,
  ): Promise<MessageEntity> {
    // ON CONFLICT instead of a unique violation: a resend is an expected answer, not a
    // server-side error in PostgreSQL's log.
    const rows: MessageRow[] = await this.tx.manager.query(
      `INSERT INTO messages (id, chat_id, sender_id, seq, text, client_message_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ON CONSTRAINT messages_sender_client_id_key DO NOTHING
       RETURNING *`,
      [
        message.id,
        message.chatId,
        message.senderId,
        message.seq,
        message.text,
        message.clientMessageId,
      ],
    );
    if (!rows[0]) throw new DuplicateClientMessageId();
    return toMessage(rows[0]);
  }

  findById(id: string): Promise<MessageEntity | null> {
    return this.tx.manager.findOneBy(MessageEntity, { id });
  }

  /** Asked before every send (idempotency): plain SQL on the unique key, like insert. */
  async findByClientMessageId(
    senderId: string,
    clientMessageId: string,
  ): Promise<MessageEntity | null> {
    const rows: MessageRow[] = await this.tx.manager.query(
      `SELECT * FROM messages WHERE sender_id = $1 AND client_message_id = $2`,
      [senderId, clientMessageId],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  /** Up to `limit` messages of a chat with a seq below `beforeSeq` (all if null), newest first. */
  async page(chatId: string, beforeSeq: number | null, limit: number): Promise<MessageEntity[]> {
    // Keyset on the (chat_id, seq) unique index: each page costs the same, however deep.
    const rows: MessageRow[] = await this.tx.manager.query(
      `SELECT * FROM messages
        WHERE chat_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
        ORDER BY seq DESC
        LIMIT $3`,
      [chatId, beforeSeq, limit],
    );
    return rows.map(toMessage);
  }

  /** Up to `limit` messages of a chat with a seq above `afterSeq`, oldest first (catch-up). */
  async after(chatId: string, afterSeq: number, limit: number): Promise<MessageEntity[]> {
    // The same (chat_id, seq) index, walked forward.
    const rows: MessageRow[] = await this.tx.manager.query(
      `SELECT * FROM messages WHERE chat_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3`,
      [chatId, afterSeq, limit],
    );
    return rows.map(toMessage);
  }

  /** Erases every message a user sent (account deleted). */
  async deleteBySender(senderId: string): Promise<void> {
    await this.tx.manager.delete(MessageEntity, { senderId });
  }
}

function toMessage(row: MessageRow): MessageEntity {
  return Object.assign(new MessageEntity(), {
    id: row.id,
    chatId: row.chat_id,
    senderId: row.sender_id,
    seq: Number(row.seq),
    text: row.text,
    clientMessageId: row.client_message_id,
    createdAt: row.created_at,
  });
}
