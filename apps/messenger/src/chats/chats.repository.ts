import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { MessageEntity } from '../messages/entities/message.entity';
import { ChatMemberEntity } from './entities/chat-member.entity';
import { ChatEntity, ChatKind } from './entities/chat.entity';

/** A chat of a user's list, with what the list shows of it. */
export interface ChatListRow {
  chat: ChatEntity;
  memberIds: string[];
  lastReadSeq: number;
  lastMessage: MessageEntity | null;
}

interface ChatRow {
  id: string;
  kind: ChatKind;
  title: string | null;
  created_by: string;
  direct_key: string | null;
  last_seq: string;
  created_at: Date;
}

@Injectable()
export class ChatsRepository {
  constructor(private readonly tx: TransactionHost) {}

  findById(id: string): Promise<ChatEntity | null> {
    return this.tx.manager.findOneBy(ChatEntity, { id });
  }

  findDirectByKey(directKey: string): Promise<ChatEntity | null> {
    return this.tx.manager.findOneBy(ChatEntity, { directKey });
  }

  /**
   * Inserts a chat, or does nothing when its `direct_key` is taken (another request
   * created the same direct chat first): resolves null then. ON CONFLICT waits for that
   * other transaction, so a re-read afterwards finds its chat.
   */
  async insertIfAbsent(
    chat: Pick<ChatEntity, 'id' | 'kind' | 'title' | 'createdBy' | 'directKey'>,
  ): Promise<ChatEntity | null> {
    const rows: ChatRow[] = await this.tx.manager.query(
      `INSERT INTO chats (id, kind, title, created_by, direct_key)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING
       RETURNING *`,
      [chat.id, chat.kind, chat.title, chat.createdBy, chat.directKey],
    );
    return rows[0] ? toChat(rows[0]) : null;
  }

  async addMembers(chatId: string, userIds: readonly string[]): Promise<void> {
    await this.tx.manager.insert(
      ChatMemberEntity,
      userIds.map((userId) => ({ chatId, userId })),
    );
  }

  /** Member ids in the order they joined. */
  async memberIds(chatId: string): Promise<string[]> {
    const members = await this.tx.manager.find(ChatMemberEntity, {
      where: { chatId },
      order: { joinedAt: 'ASC', userId: 'ASC' },
    });
    return members.map((m) => m.userId);
  }

  isMember(chatId: string, userId: string): Promise<boolean> {
    return this.tx.manager.existsBy(ChatMemberEntity, { chatId, userId });
  }

  exists(chatId: string): Promise<boolean> {
    return this.tx.manager.existsBy(ChatEntity, { id: chatId });
  }

  /**
   * Takes the next message seq of a chat, or null when the chat does not exist. The
   * update holds the chat row's lock until the transaction ends, so concurrent senders
   * queue here and every seq is used exactly once.
   */
  async nextSeq(chatId: string): Promise<number | null> {
    // A CTE makes the driver report rows (a bare UPDATE reports [rows, count]).
    const rows: Array<{ last_seq: string }> = await this.tx.manager.query(
      `WITH bumped AS (
         UPDATE chats SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq
       )
       SELECT last_seq FROM bumped`,
      [chatId],
    );
    return rows[0] ? Number(rows[0].last_seq) : null;
  }

  /** Removes a user from every chat (account deleted). */
  async removeMemberEverywhere(userId: string): Promise<void> {
    await this.tx.manager.delete(ChatMemberEntity, { userId });
  }

  /** The user's chats, most recently active first, each with its newest message. */
  async listForUser(userId: string): Promise<ChatListRow[]> {
    const rows: Array<
      ChatRow & {
        last_read_seq: string;
        member_ids: string[];
        m_id: string | null;
        m_sender_id: string | null;
        m_text: string | null;
        m_client_message_id: string | null;
        m_created_at: Date | null;
      }
    > = await this.tx.manager.query(
      `SELECT c.*, me.last_read_seq,
              (SELECT array_agg(cm.user_id::text ORDER BY cm.joined_at, cm.user_id)
                 FROM chat_members cm WHERE cm.chat_id = c.id) AS member_ids,
              m.id AS m_id, m.sender_id AS m_sender_id, m.text AS m_text,
              m.client_message_id AS m_client_message_id, m.created_at AS m_created_at
         FROM chat_members me
         JOIN chats c ON c.id = me.chat_id
         LEFT JOIN messages m ON m.chat_id = c.id AND m.seq = c.last_seq
        WHERE me.user_id = $1
        ORDER BY COALESCE(m.created_at, c.created_at) DESC, c.id`,
      [userId],
    );
    return rows.map((row) => {
      const chat = toChat(row);
      const lastMessage =
        row.m_id === null
          ? null
          : Object.assign(new MessageEntity(), {
              id: row.m_id,
              chatId: chat.id,
              senderId: row.m_sender_id,
              seq: chat.lastSeq,
              text: row.m_text,
              clientMessageId: row.m_client_message_id,
              createdAt: row.m_created_at,
            });
      return {
        chat,
        memberIds: row.member_ids ?? [],
        lastReadSeq: Number(row.last_read_seq),
        lastMessage,
      };
    });
  }
}

function toChat(row: ChatRow): ChatEntity {
  return Object.assign(new ChatEntity(), {
    id: row.id,
    kind: row.kind,
    title: row.title,
    createdBy: row.created_by,
    directKey: row.direct_key,
    lastSeq: Number(row.last_seq),
    createdAt: row.created_at,
  });
}
