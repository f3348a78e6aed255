import { z } from 'zod';
import type { DomainError } from '../errors/domain-error';
import { validationFailed } from '../validation/validation-failed';

/**
 * Longest cursor read. Ours are a few dozen characters; anything longer is not one of them
 * and is refused before it is decoded.
 */
export const MAX_CURSOR_LENGTH = 512;

/**
 * Schemas of the values a cursor may hold, each narrowed to what the list's columns can
 * hold, so that a cursor that passes never makes the database fail (a date PostgreSQL
 * cannot represent used to answer 500).
 */
export const CursorPart = {
  /**
   * A time as `Date.toISOString()` writes it, in UTC with a four-digit year: 0000–9999 lies
   * inside both JavaScript's `Date` (±275,760 years) and PostgreSQL's `timestamptz`
   * (4713 BC–294276 AD), where the expanded `±YYYYYY` years of ISO 8601 do not.
   */
  timestamp: z.iso.datetime().transform((iso) => new Date(iso)),
  /** An id of a PostgreSQL `uuid` column, in the hyphenated form this API writes. */
  uuid: z.guid(),
} as const;

/** A value a cursor can carry; a `Date` is written as its ISO string. */
export type CursorValue = string | number | Date;

/**
 * The opaque cursor of a keyset position: base64url of the position as a JSON array.
 * Opaque to clients so the sort key can change without breaking them.
 */
export function encodeCursor(position: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * Reads a cursor made by {@link encodeCursor} into the position `shape` describes
 * (a `z.tuple` of {@link CursorPart}s or other schemas). Anything else — not base64url
 * JSON, another shape, a value out of its column's range — is the client's mistake:
 * INVALID_ARGUMENT `COMMON.VALIDATION_FAILED`, naming `field`.
 */
export function decodeCursor<T extends z.ZodTuple>(
  cursor: string,
  shape: T,
  field = 'cursor',
): z.output<T> {
  if (cursor.length <= MAX_CURSOR_LENGTH) {
    let position: unknown;
    try {
      position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      // Falls through to the one refusal: why a cursor is garbage is of no interest.
    }
    const parsed = shape.safeParse(position);
    if (parsed.success) return parsed.data;
  }
  throw invalidCursor(field);
}

/** The refusal of a cursor this API did not issue. */
export function invalidCursor(field = 'cursor'): DomainError {
  return validationFailed(
    [{ field, message: 'must be a cursor returned with the previous page' }],
    `Invalid ${field}`,
  );
}

/** Position in a list ordered by (created at DESC, id DESC): the last item a client saw. */
export interface Keyset {
  createdAt: Date;
  id: string;
}

const KEYSET = z.tuple([CursorPart.timestamp, CursorPart.uuid]);

/** The cursor after `keyset`: `[createdAt ISO, id]`. */
export function encodeKeyset(keyset: Keyset): string {
  return encodeCursor([keyset.createdAt, keyset.id]);
}

/** Reads a cursor made by {@link encodeKeyset}; see {@link decodeCursor} for refusals. */
export function decodeKeyset(cursor: string, field = 'cursor'): Keyset {
  const [createdAt, id] = decodeCursor(cursor, KEYSET, field);
  return { createdAt, id };
}
