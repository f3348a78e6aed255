import type { OutboxEventEntity } from './outbox-event.entity';

/** An unpublished row of {@link OutboxEventEntity}, as the relay reads it. */
export interface OutboxRow {
  seq: string;
  event_id: string;
  topic: string;
  key: string;
  envelope: OutboxEventEntity['envelope'];
  headers: OutboxEventEntity['headers'];
}

/** The Kafka record of an outbox row, with the row's `seq` and the record's size. */
export function toMessage(row: OutboxRow): OutboxMessage {
  const value = JSON.stringify(row.envelope);
  const headers = { ...row.headers, 'event-id': row.event_id, 'event-type': row.topic };
  let bytes = Buffer.byteLength(value) + Buffer.byteLength(row.key);
  for (const [name, header] of Object.entries(headers)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(header);
  }
  return { seq: row.seq, topic: row.topic, key: row.key, value, headers, bytes };
}

/** A row as the Kafka record it becomes, with its `seq` for the mark and its size. */
export interface OutboxMessage {
  seq: string;
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
  bytes: number;
}

/**
 * The longest prefix of `messages` within `maxBytes`, and never less than the first: a
 * prefix, so what is left is sent next, still in `seq` order.
 */
export function withinBytes<T extends { bytes: number }>(messages: T[], maxBytes: number): T[] {
  let total = 0;
  for (let i = 0; i < messages.length; i += 1) {
    total += messages[i].bytes;
    if (total > maxBytes && i > 0) return messages.slice(0, i);
  }
  return messages;
}
