import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { MessageRow } from '../messages/message.view';

/** A write to a chat's timeline, queued for the next flush (see {@link TimelineWriter}). */
export type TimelineWrite =
  | {
      kind: 'send';
      chatId: string;
      actorId: string;
      /** The new message's id, chosen by the server. */
      messageId: string;
      clientMessageId: string;
      text: string;
      replyToId: string | null;
    }
  | { kind: 'edit'; chatId: string; actorId: string; messageId: string; text: string }
  | { kind: 'delete'; chatId: string; actorId: string; messageId: string }
  | {
      kind: 'react_add' | 'react_remove';
      chatId: string;
      actorId: string;
      messageId: string;
      emoji: string;
    };

/** What became of one write, decided under the chat row's lock. */
export type WriteOutcome =
  /** A send stored as the chat's next event. */
  | 'stored'
  /** The sender stored this `clientMessageId` in this chat before: `message` is it. */
  | 'duplicate'
  /** The sender used this `clientMessageId` in another chat. */
  | 'reused'
  /** An edit, delete or reaction recorded as the chat's next event. */
  | 'changed'
  /** Nothing to change (same text, a tombstone deleted again, a reaction already so). */
  | 'unchanged'
  | 'not_member'
  | 'reply_not_found'
  | 'message_not_found'
  | 'message_deleted'
  /** Not the author (an edit), or neither the author nor a group owner or admin (a delete). */
  | 'forbidden';

export interface WriteResult {
  outcome: WriteOutcome;
  /** The event's seq (stored, changed), else null. */
  seq: number | null;
  /** The message as it now is (stored, duplicate, changed, unchanged), else null. */
  message: MessageRow | null;
  /** The chat's members in join order (stored, changed), else empty. */
  memberIds: string[];
}

/** One write as the flush function takes it: its event's id and trace headers included. */
export type FlushEntry = TimelineWrite & { eventId: string; headers: Record<string, string> };

interface ResultRow {
  entry: number;
  outcome: WriteOutcome;
  event_seq: string | null;
  message:
    | (Omit<MessageRow, 'created_at' | 'edited_at' | 'deleted_at'> & {
        created_at: string;
        edited_at: string | null;
        deleted_at: string | null;
      })
    | null;
  member_ids: string[] | null;
}

/**
 * Runs `messenger_flush_timeline` (migration GroupCommit1766100000000). On the pool, never
 * in a caller's transaction: a flush carries many callers' writes and commits on its own.
 */
@Injectable()
export class TimelineFlushRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Applies `entries` in order, in one statement (its own transaction, committed with
   * `synchronous_commit` as configured — on): resolves one result per entry, in order,
   * once committed. Rejects, with nothing applied, when the statement fails as a whole.
   */
  async flush(
    entries: readonly FlushEntry[],
    occurredAt: string,
    producer: string,
  ): Promise<WriteResult[]> {
    const rows: ResultRow[] = await this.dataSource.query(
      `SELECT * FROM messenger_flush_timeline($1::jsonb, $2, $3)`,
      [JSON.stringify(entries.map(toJson)), occurredAt, producer],
    );
    const results = new Array<WriteResult>(entries.length);
    for (const row of rows) {
      results[row.entry] = {
        outcome: row.outcome,
        seq: row.event_seq === null ? null : Number(row.event_seq),
        message: row.message ? toMessageRow(row.message) : null,
        memberIds: row.member_ids ?? [],
      };
    }
    if (rows.length !== entries.length || results.includes(undefined as never)) {
      throw new Error(`flush answered ${rows.length} results for ${entries.length} entries`);
    }
    return results;
  }
}

/** The entry as the function reads it (`kind`, `chat`, `actor`, `message`, …). */
function toJson(entry: FlushEntry): Record<string, unknown> {
  return {
    kind: entry.kind,
    chat: entry.chatId,
    actor: entry.actorId,
    message: entry.messageId,
    clientMessageId: entry.kind === 'send' ? entry.clientMessageId : undefined,
    text: entry.kind === 'send' || entry.kind === 'edit' ? entry.text : undefined,
    replyTo: entry.kind === 'send' ? entry.replyToId : undefined,
    emoji: entry.kind === 'react_add' || entry.kind === 'react_remove' ? entry.emoji : undefined,
    eventId: entry.eventId,
    headers: entry.headers,
  };
}

function toMessageRow(json: NonNullable<ResultRow['message']>): MessageRow {
  return {
    ...json,
    seq: String(json.seq),
    created_at: new Date(json.created_at),
    edited_at: json.edited_at ? new Date(json.edited_at) : null,
    deleted_at: json.deleted_at ? new Date(json.deleted_at) : null,
  };
}
