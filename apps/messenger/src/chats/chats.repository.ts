import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { MessageEntity } from '../messages/entities/message.entity';
import { ChatMemberEntity } from './entities/chat-member.entity';
import { ChatEntity, ChatKind } from './entities/chat.entity';

/** A member's name as messenger's users replica knows it. */
export interface MemberName {
  userId: string;
  nickname: string | null;
  displayName: string | null;
}

/** A chat of a user's list, with what the list shows of it. */
export interface ChatListRow {
  chat: ChatEntity;
  memberIds: string[];
  /** Names from the users replica; null when messenger has not heard of the user yet. */
  members: MemberName[];
  /** From the read model (`chat_members.unread_count`), kept up to date on write. */
  unreadCount: number;
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

  // memberIds and isMember run on every send and typing signal: plain SQL on the
  // (chat_id, user_id) primary key, without the query builder and entity hydration that
  // cost more CPU than the query itself (bench A1/A2 profiles).

  /** Member ids in the order they joined. */
  async memberIds(chatId: string): Promise<string[]> {
    const rows: Array<{ user_id: string }> = await this.tx.manager.query(
      `SELECT user_id FROM chat_members WHERE chat_id = $1 ORDER BY joined_at, user_id`,
      [chatId],
    );
    return rows.map((row) => row.user_id);
  }

  async isMember(chatId: string, userId: string): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `SELECT 1 FROM chat_members WHERE chat_id = $1 AND user_id = $2`,
      [chatId, userId],
    );
    return rows.length > 0;
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

  /**
   * Keeps the read model up to date as a message `seq` from `senderId` is stored: one more
   * unread message for every other member; the sender has read the chat up to it. Runs in
   * the send transaction, after {@link nextSeq} took the chat row lock. Resolves the
   * chat's members (as {@link memberIds} orders them), whose rows it has just updated.
   */
  async recordMessage(chatId: string, senderId: string, seq: number): Promise<string[]> {
    const rows: Array<{ user_id: string }> = await this.tx.manager.query(
      `WITH updated AS (
         UPDATE chat_members
            SET unread_count = CASE WHEN user_id = $2 THEN 0 ELSE unread_count + 1 END,
                last_read_seq = CASE WHEN user_id = $2 THEN $3 ELSE last_read_seq END
          WHERE chat_id = $1
          RETURNING user_id, joined_at
       )
       SELECT user_id FROM updated ORDER BY joined_at, user_id`,
      [chatId, senderId, seq],
    );
    return rows.map((row) => row.user_id);
  }

  /**
   * Moves a member's read marker forward to `seq` (never back) and recomputes their unread
   * count; resolves false when the marker was already there or further. Must run in a
   * transaction: the share lock on the chat row waits for in-flight sends, so the count
   * matches the newest committed `last_seq`.
   */
  async markRead(chatId: string, userId: string, seq: number): Promise<boolean> {
    const chats: Array<{ last_seq: string }> = await this.tx.manager.query(
      `SELECT last_seq FROM chats WHERE id = $1 FOR SHARE`,
      [chatId],
    );
    if (!chats[0]) return false;
    const rows: unknown[] = await this.tx.manager.query(
      `WITH moved AS (
         UPDATE chat_members SET last_read_seq = $3, unread_count = GREATEST($4::bigint - $3, 0)
          WHERE chat_id = $1 AND user_id = $2 AND last_read_seq < $3
          RETURNING 1
       )
       SELECT * FROM moved`,
      [chatId, userId, seq, chats[0].last_seq],
    );
    return rows.length > 0;
  }

  /** Removes a user from every chat (account deleted). */
  async removeMemberEverywhere(userId: string): Promise<void> {
    await this.tx.manager.delete(ChatMemberEntity, { userId });
  }

  /** The user's chats, most recently active first, each with its newest message. */
  async listForUser(userId: string): Promise<ChatListRow[]> {
    const rows: Array<
      ChatRow & {
        unread_count: string;
        member_ids: string[];
        members: MemberName[] | null;
        m_id: string | null;
        m_sender_id: string | null;
        m_text: string | null;
        m_client_message_id: string | null;
        m_created_at: Date | null;
      }
    > = await this.tx.manager.query(
      `SELECT c.*, me.unread_count,
              (SELECT array_agg(cm.user_id::text ORDER BY cm.joined_at, cm.user_id)
                 FROM chat_members cm WHERE cm.chat_id = c.id) AS member_ids,
              (SELECT json_agg(json_build_object('userId', cm.user_id, 'nickname', u.nickname,
                                                 'displayName', u.display_name)
                               ORDER BY cm.joined_at, cm.user_id)
                 FROM chat_members cm LEFT JOIN users u ON u.id = cm.user_id
                WHERE cm.chat_id = c.id) AS members,
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
        members: row.members ?? [],
        unreadCount: Number(row.unread_count),
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
