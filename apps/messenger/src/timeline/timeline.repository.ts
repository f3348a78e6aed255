import { Injectable } from '@nestjs/common';
import type { SocketApi } from '@app/contracts';
import { TransactionHost } from '@app/platform';

/** One change to append to a chat's timeline (its seq and time are given on append). */
export interface TimelineChange {
  type: Exclude<SocketApi.TimelineEventType, 'message.created'>;
  actorId: string;
  messageId?: string;
  userId?: string;
  role?: SocketApi.MemberRole;
  emoji?: string;
  title?: string;
}

/** A stored timeline event. */
export interface TimelineRow {
  seq: number;
  type: SocketApi.TimelineEventType;
  actorId: string;
  at: Date;
  messageId: string | null;
  userId: string | null;
  role: SocketApi.MemberRole | null;
  emoji: string | null;
  title: string | null;
}

interface EventRow {
  seq: string;
  type: SocketApi.TimelineEventType;
  actor_id: string;
  at: Date;
  message_id: string | null;
  user_id: string | null;
  role: SocketApi.MemberRole | null;
  emoji: string | null;
  title: string | null;
}

const toRow = (row: EventRow): TimelineRow => ({
  seq: Number(row.seq),
  type: row.type,
  actorId: row.actor_id,
  at: row.at,
  messageId: row.message_id,
  userId: row.user_id,
  role: row.role,
  emoji: row.emoji,
  title: row.title,
});

/** `chat_events`: the gapless, per-chat sequence of every change. */
@Injectable()
export class TimelineRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Numbers `changes` with the chat's next seqs and stores them, in one statement. The
   * update of `chats.last_seq` holds the chat row's lock until the transaction ends, so
   * every writer of the chat queues there and each seq is used exactly once; a rollback
   * gives the seqs back. Resolves the stored events, or null when the chat does not exist.
   */
  async append(chatId: string, changes: readonly TimelineChange[]): Promise<TimelineRow[] | null> {
    const column = <K extends keyof TimelineChange>(key: K) => changes.map((c) => c[key] ?? null);
    const rows: EventRow[] = await this.tx.manager.query(
      `WITH bumped AS (
         UPDATE chats SET last_seq = last_seq + $2 WHERE id = $1 RETURNING last_seq
       ), stored AS (
         INSERT INTO chat_events (chat_id, seq, type, actor_id, message_id, user_id, role, emoji, title)
         SELECT $1, b.last_seq - $2 + e.n, e.type, e.actor_id, e.message_id, e.user_id, e.role,
                e.emoji, e.title
           FROM bumped b,
                unnest($3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[],
                       $9::text[])
                  WITH ORDINALITY AS e (type, actor_id, message_id, user_id, role, emoji, title, n)
         RETURNING *
       )
       SELECT * FROM stored ORDER BY seq`,
      [
        chatId,
        changes.length,
        column('type'),
        column('actorId'),
        column('messageId'),
        column('userId'),
        column('role'),
        column('emoji'),
        column('title'),
      ],
    );
    return rows.length === changes.length ? rows.map(toRow) : null;
  }

  /** Up to `limit` events of a chat after `afterSeq`, oldest first (the primary key's range). */
  async after(chatId: string, afterSeq: number, limit: number): Promise<TimelineRow[]> {
    const rows: EventRow[] = await this.tx.manager.query(
      `SELECT * FROM chat_events WHERE chat_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [chatId, afterSeq, limit],
    );
    return rows.map(toRow);
  }
}
