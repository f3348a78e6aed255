import { MESSAGE_COLUMNS } from './message.view';

/** Where a search page starts: strictly older than this message. */
export interface SearchCursor {
  createdAt: Date;
  id: string;
}

/** What `message:search` asks for, once the cursor is resolved. */
export interface MessageSearch {
  userId: string;
  query: string;
  chatId: string | null;
  cursor: SearchCursor | null;
  limit: number;
}

/**
 * The statement of `message:search`: full text over the messages of the chats `userId`
 * is a member of (one chat if `chatId` is given), tombstones excluded, newest first,
 * `limit` after `cursor`. The match runs on the GIN index of the generated `search`
 * vector (`messages_search_idx`). Kept apart from the repository so that the e2e spec
 * can read the plan of this very statement.
 */
export function messageSearchQuery(input: MessageSearch): { sql: string; params: unknown[] } {
  return {
    sql: `SELECT ${MESSAGE_COLUMNS}
         FROM messages m
         JOIN chat_members cm ON cm.chat_id = m.chat_id AND cm.user_id = $1
        WHERE m.search @@ websearch_to_tsquery('simple', $2)
          AND m.deleted_at IS NULL
          AND ($3::uuid IS NULL OR m.chat_id = $3::uuid)
          AND ($4::timestamptz IS NULL OR (m.created_at, m.id) < ($4::timestamptz, $5::uuid))
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT $6`,
    params: [
      input.userId,
      input.query,
      input.chatId,
      input.cursor?.createdAt ?? null,
      input.cursor?.id ?? null,
      input.limit,
    ],
  };
}
