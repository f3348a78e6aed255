import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import type { MessageRow } from '../messages/message.view';
import { MESSAGE_COLUMNS } from '../messages/message.view';
import type { MemberRole } from './chat.view';
import { ChatEntity, ChatKind } from './entities/chat.entity';

/** A member of a chat as the chat view shows it. */
export interface MemberRow {
  userId: string;
  role: MemberRole;
  lastReadSeq: number;
}

/** A member with the name messenger's users replica knows them by (null: not heard of yet). */
export interface NamedMemberRow extends MemberRow {
  nickname: string | null;
  displayName: string | null;
}

/** A chat of a user's list, with what the list shows of it. */
export interface ChatListRow {
  chat: ChatEntity;
  members: NamedMemberRow[];
  /**
   * Others' messages after the member's read marker, derived (docs/adr/0032): events
   * after the marker (`last_seq - last_read_seq`) less those that are not messages. A
   * member's own messages are never after their marker: sending moves it.
   */
  unreadCount: number;
  lastMessage: MessageRow | null;
}

/**
 * What a user may do in a chat, read in one round trip: their membership and role, the
 * chat's kind and, in a direct chat, the other member with the friendship replica's view
 * of the two (the fast path of the friendship rule).
 */
export interface Membership {
  chatId: string;
  kind: ChatKind;
  role: MemberRole;
  /**
   * Every member, in the order they joined (the fan-out of a typing signal or a read
   * marker); empty unless asked for, so a send pays nothing for it.
   */
  memberIds: string[];
  /** The other member of a direct chat (null in groups, or once they left the platform). */
  peerId: string | null;
  /** The replica says the two are friends and neither blocks the other. */
  peerFriendly: boolean;
}

/** A chat's members and kind, as {@link ChatsRepository.roster} reads them. */
export interface ChatRoster {
  kind: ChatKind;
  /** In the order they joined. */
  memberIds: string[];
  roles: ReadonlyMap<string, MemberRole>;
  /** A direct chat whose two members the replica says are friends, no block either way. */
  peerFriendly: boolean;
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

const memberOf = (row: { user_id: string; role: MemberRole; last_read_seq: string }) => ({
  userId: row.user_id,
  role: row.role,
  lastReadSeq: Number(row.last_read_seq),
});

@Injectable()
export class ChatsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async findById(id: string): Promise<ChatEntity | null> {
    const rows: ChatRow[] = await this.tx.manager.query(`SELECT * FROM chats WHERE id = $1`, [id]);
    return rows[0] ? toChat(rows[0]) : null;
  }

  async findDirectByKey(directKey: string): Promise<ChatEntity | null> {
    const rows: ChatRow[] = await this.tx.manager.query(
      `SELECT * FROM chats WHERE direct_key = $1`,
      [directKey],
    );
    return rows[0] ? toChat(rows[0]) : null;
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

  /**
   * Adds members (those already in are left as they are) who have read everything so far;
   * resolves the ids actually added. `clock_timestamp()` keeps the join order of one call.
   */
  async addMembers(
    chatId: string,
    members: ReadonlyArray<{ userId: string; role: MemberRole }>,
  ): Promise<string[]> {
    const rows: Array<{ user_id: string }> = await this.tx.manager.query(
      `INSERT INTO chat_members (chat_id, user_id, role, last_read_seq, joined_at)
       SELECT $1, m.user_id, m.role, c.last_seq, clock_timestamp()
         FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS m (user_id, role, n)
         JOIN chats c ON c.id = $1
        ORDER BY m.n
       ON CONFLICT (chat_id, user_id) DO NOTHING
       RETURNING user_id`,
      [chatId, members.map((m) => m.userId), members.map((m) => m.role)],
    );
    return rows.map((row) => row.user_id);
  }

  /**
   * Takes the chat row's lock for the rest of the transaction: the same lock every
   * timeline write takes to number its event, so membership read after it stays true
   * until commit.
   */
  async lock(chatId: string): Promise<void> {
    await this.tx.manager.query(`SELECT 1 FROM chats WHERE id = $1 FOR UPDATE`, [chatId]);
  }

  async removeMember(chatId: string, userId: string): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `WITH gone AS (DELETE FROM chat_members WHERE chat_id = $1 AND user_id = $2 RETURNING 1)
       SELECT * FROM gone`,
      [chatId, userId],
    );
    return rows.length > 0;
  }

  async setRole(chatId: string, userId: string, role: MemberRole): Promise<void> {
    await this.tx.manager.query(
      `UPDATE chat_members SET role = $3 WHERE chat_id = $1 AND user_id = $2`,
      [chatId, userId, role],
    );
  }

  async setTitle(chatId: string, title: string): Promise<void> {
    await this.tx.manager.query(`UPDATE chats SET title = $2 WHERE id = $1`, [chatId, title]);
  }

  /** Who inherits a group from its leaving owner: the longest-standing admin, else member. */
  async successor(chatId: string, leavingUserId: string): Promise<string | null> {
    const rows: Array<{ user_id: string }> = await this.tx.manager.query(
      `SELECT user_id FROM chat_members
        WHERE chat_id = $1 AND user_id <> $2
        ORDER BY (role = 'admin') DESC, joined_at, user_id
        LIMIT 1`,
      [chatId, leavingUserId],
    );
    return rows[0]?.user_id ?? null;
  }

  /** The members of a chat with their roles and read markers, in the order they joined. */
  async members(chatId: string): Promise<MemberRow[]> {
    const rows: Array<{ user_id: string; role: MemberRole; last_read_seq: string }> =
      await this.tx.manager.query(
        `SELECT user_id, role, last_read_seq FROM chat_members
          WHERE chat_id = $1 ORDER BY joined_at, user_id`,
        [chatId],
      );
    return rows.map(memberOf);
  }

  // memberIds and membership run on every send and typing signal: plain SQL on the
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

  /** The user's {@link Membership} of the chat, or null when they are not a member. */
  async membership(
    chatId: string,
    userId: string,
    withMemberIds = false,
  ): Promise<Membership | null> {
    const rows: Array<{
      kind: ChatKind;
      role: MemberRole;
      peer_id: string | null;
      peer_friendly: boolean | null;
      member_ids: string[] | null;
    }> = await this.tx.manager.query(
      `SELECT c.kind, me.role, peer.user_id AS peer_id,
              CASE WHEN $3 THEN (SELECT array_agg(cm.user_id::text ORDER BY cm.joined_at, cm.user_id)
                                   FROM chat_members cm WHERE cm.chat_id = me.chat_id)
              END AS member_ids,
              (EXISTS (SELECT 1 FROM friendships f
                        WHERE f.user_id = me.user_id AND f.friend_id = peer.user_id)
               AND NOT EXISTS (SELECT 1 FROM blocks b
                                WHERE (b.user_id = me.user_id AND b.blocked_user_id = peer.user_id)
                                   OR (b.user_id = peer.user_id AND b.blocked_user_id = me.user_id))
              ) AS peer_friendly
         FROM chat_members me
         JOIN chats c ON c.id = me.chat_id
         LEFT JOIN chat_members peer
           ON c.kind = 'direct' AND peer.chat_id = me.chat_id AND peer.user_id <> me.user_id
        WHERE me.chat_id = $1 AND me.user_id = $2`,
      [chatId, userId, withMemberIds],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      chatId,
      kind: row.kind,
      role: row.role,
      memberIds: row.member_ids ?? [],
      peerId: row.peer_id,
      peerFriendly: row.peer_friendly === true,
    };
  }

  /**
   * Who is in a chat and as what, for the in-process membership cache: the kind, the
   * members in join order with their roles and, in a direct chat, whether the friendship
   * replica says the two are friends with no block either way. Null when the chat does
   * not exist.
   */
  async roster(chatId: string): Promise<ChatRoster | null> {
    const rows: Array<{
      kind: ChatKind;
      member_ids: string[] | null;
      roles: MemberRole[] | null;
      friendly: boolean;
    }> = await this.tx.manager.query(
      `WITH m AS (SELECT user_id, role, joined_at FROM chat_members WHERE chat_id = $1)
       SELECT c.kind,
              (SELECT array_agg(m.user_id::text ORDER BY m.joined_at, m.user_id) FROM m) AS member_ids,
              (SELECT array_agg(m.role ORDER BY m.joined_at, m.user_id) FROM m) AS roles,
              (c.kind = 'direct' AND (SELECT count(*) FROM m) = 2
               AND EXISTS (SELECT 1 FROM m a JOIN m b ON a.user_id <> b.user_id
                             JOIN friendships f ON f.user_id = a.user_id AND f.friend_id = b.user_id)
               AND NOT EXISTS (SELECT 1 FROM m a JOIN m b ON a.user_id <> b.user_id
                                 JOIN blocks bl
                                   ON bl.user_id = a.user_id AND bl.blocked_user_id = b.user_id)
              ) AS friendly
         FROM chats c WHERE c.id = $1`,
      [chatId],
    );
    const row = rows[0];
    if (!row) return null;
    const memberIds = row.member_ids ?? [];
    const roles = row.roles ?? [];
    return {
      kind: row.kind,
      memberIds,
      roles: new Map(memberIds.map((id, i) => [id, roles[i]])),
      peerFriendly: row.friendly === true,
    };
  }

  /** The ids among `userIds` that messenger's users replica has never heard of. */
  async unknownUsers(userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows: Array<{ id: string }> = await this.tx.manager.query(
      `SELECT id FROM unnest($1::uuid[]) AS wanted (id)
        WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = wanted.id)`,
      [userIds],
    );
    return rows.map((row) => row.id);
  }

  /** The ids among `userIds` that share a chat with `userId`. */
  async coMembers(userId: string, userIds: readonly string[]): Promise<string[]> {
    const rows: Array<{ user_id: string }> = await this.tx.manager.query(
      `SELECT DISTINCT other.user_id
         FROM chat_members me
         JOIN chat_members other ON other.chat_id = me.chat_id
        WHERE me.user_id = $1 AND other.user_id = ANY($2::uuid[])`,
      [userId, userIds],
    );
    return rows.map((row) => row.user_id);
  }

  /**
   * Moves a member's read marker forward to `seq` (never back); resolves false when the
   * marker was already there or further. Unread counts are derived from the marker
   * (see {@link listForUser}), so nothing else is written.
   */
  async markRead(chatId: string, userId: string, seq: number): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `WITH moved AS (
         UPDATE chat_members SET last_read_seq = $3
          WHERE chat_id = $1 AND user_id = $2 AND last_read_seq < $3
          RETURNING 1
       )
       SELECT * FROM moved`,
      [chatId, userId, seq],
    );
    return rows.length > 0;
  }

  /**
   * The chats of a user (account deleted), with the role they have in each, in chat id
   * order: the order group commit locks chats in, so the two never deadlock.
   */
  async membershipsOf(userId: string): Promise<Array<{ chatId: string; role: MemberRole }>> {
    const rows: Array<{ chat_id: string; role: MemberRole }> = await this.tx.manager.query(
      `SELECT chat_id, role FROM chat_members WHERE user_id = $1 ORDER BY chat_id`,
      [userId],
    );
    return rows.map((row) => ({ chatId: row.chat_id, role: row.role }));
  }

  /** The user's chats, most recently active first, each with its newest message. */
  async listForUser(userId: string): Promise<ChatListRow[]> {
    const rows: Array<
      ChatRow & {
        unread_count: string;
        members: Array<{
          user_id: string;
          role: MemberRole;
          last_read_seq: string;
          nickname: string | null;
          display_name: string | null;
        }>;
        last_message:
          | (Omit<MessageRow, 'created_at' | 'edited_at' | 'deleted_at'> & {
              created_at: string;
              edited_at: string | null;
              deleted_at: string | null;
            })
          | null;
      }
    > = await this.tx.manager.query(
      `SELECT c.*,
              (c.last_seq - me.last_read_seq)
                - (SELECT count(*) FROM chat_events e
                    WHERE e.chat_id = c.id AND e.seq > me.last_read_seq
                      AND e.type <> 'message.created') AS unread_count,
              (SELECT json_agg(json_build_object('user_id', cm.user_id, 'role', cm.role,
                                                 'last_read_seq', cm.last_read_seq,
                                                 'nickname', u.nickname,
                                                 'display_name', u.display_name)
                               ORDER BY cm.joined_at, cm.user_id)
                 FROM chat_members cm LEFT JOIN users u ON u.id = cm.user_id
                WHERE cm.chat_id = c.id) AS members,
              (SELECT row_to_json(last)
                 FROM (SELECT ${MESSAGE_COLUMNS} FROM messages m
                        WHERE m.chat_id = c.id ORDER BY m.seq DESC LIMIT 1) last) AS last_message
         FROM chat_members me
         JOIN chats c ON c.id = me.chat_id
        WHERE me.user_id = $1`,
      [userId],
    );
    const list = rows.map((row) => {
      const last = row.last_message;
      return {
        chat: toChat(row),
        members: (row.members ?? []).map((m) => ({
          ...memberOf(m),
          nickname: m.nickname,
          displayName: m.display_name,
        })),
        unreadCount: Number(row.unread_count),
        lastMessage: last
          ? {
              ...last,
              created_at: new Date(last.created_at),
              edited_at: last.edited_at ? new Date(last.edited_at) : null,
              deleted_at: last.deleted_at ? new Date(last.deleted_at) : null,
            }
          : null,
      };
    });
    const activity = (row: ChatListRow) =>
      (row.lastMessage?.created_at ?? row.chat.createdAt).getTime();
    return list.sort((a, b) => activity(b) - activity(a) || a.chat.id.localeCompare(b.chat.id));
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
