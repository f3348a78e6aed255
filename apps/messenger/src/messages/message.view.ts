import type { SocketApi } from '@app/contracts';

/** A message as clients see it (acks, pushes, history, search, sync). */
export type MessageView = SocketApi.Message;

/** A `messages` row as the queries of {@link MESSAGE_COLUMNS} return it. */
export interface MessageRow {
  id: string;
  chat_id: string;
  sender_id: string;
  seq: string;
  text: string;
  client_message_id: string;
  created_at: Date;
  reply_to_id: string | null;
  edited_at: Date | null;
  deleted_at: Date | null;
  /** Aggregated by {@link MESSAGE_COLUMNS}; absent on rows fresh from an INSERT (none yet). */
  reactions?: SocketApi.Reaction[] | null;
}

/**
 * The columns of a message with its reactions folded in, one entry per emoji in the order
 * first used (the reactions' primary key starts with message_id, so this is an index range
 * per message). `m` is the alias of `messages` in the query.
 */
export const MESSAGE_COLUMNS = `
  m.id, m.chat_id, m.sender_id, m.seq, m.text, m.client_message_id, m.created_at,
  m.reply_to_id, m.edited_at, m.deleted_at,
  (SELECT COALESCE(json_agg(json_build_object('emoji', g.emoji, 'count', g.n, 'userIds', g.user_ids)
                            ORDER BY g.first_at, g.emoji), '[]'::json)
     FROM (SELECT r.emoji, count(*)::int AS n, min(r.created_at) AS first_at,
                  array_agg(r.user_id ORDER BY r.created_at, r.user_id) AS user_ids
             FROM message_reactions r WHERE r.message_id = m.id GROUP BY r.emoji) g) AS reactions`;

export const toMessageView = (row: MessageRow): MessageView => ({
  id: row.id,
  chatId: row.chat_id,
  senderId: row.sender_id,
  text: row.text,
  seq: Number(row.seq),
  createdAt: row.created_at.toISOString(),
  clientMessageId: row.client_message_id,
  replyToId: row.reply_to_id,
  editedAt: row.edited_at?.toISOString() ?? null,
  deletedAt: row.deleted_at?.toISOString() ?? null,
  reactions: row.reactions ?? [],
});
