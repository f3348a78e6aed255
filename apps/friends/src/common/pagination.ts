import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Position in a list ordered by (createdAt DESC, id DESC): the last item a client saw. */
export interface Keyset {
  createdAt: Date;
  id: string;
}

/** What a repository needs to read one page: how many, and after which item. */
export interface PageRequest {
  limit: number;
  after?: Keyset;
}

/** One page of a keyset-paginated list; `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to clients so the ordering can change without breaking them. */
export function encodeCursor(keyset: Keyset): string {
  return Buffer.from(JSON.stringify([keyset.createdAt.toISOString(), keyset.id])).toString(
    'base64url',
  );
}

/** Reads a cursor made by {@link encodeCursor}; anything else is the client's mistake. */
export function decodeCursor(cursor: string): Keyset {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2) {
      const [iso, id] = decoded as unknown[];
      const createdAt = typeof iso === 'string' ? new Date(iso) : undefined;
      if (
        createdAt &&
        !Number.isNaN(createdAt.getTime()) &&
        typeof id === 'string' &&
        UUID.test(id)
      ) {
        return { createdAt, id };
      }
    }
  } catch {
    // Falls through to the domain error: the reason a cursor is garbage is not interesting.
  }
  throw new DomainError('INVALID_ARGUMENT', ErrorCodes.VALIDATION_FAILED, 'Invalid cursor', [
    { field: 'cursor', message: 'must be a nextCursor returned by this list' },
  ]);
}

/** Turns the client's `limit`/`cursor` into a {@link PageRequest}, rejecting bad cursors. */
export function pageRequest(query: { limit?: number; cursor?: string }): PageRequest {
  const limit = Math.min(Math.max(query.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  return query.cursor ? { limit, after: decodeCursor(query.cursor) } : { limit };
}

/**
 * Builds a page from rows read with `limit + 1`: the extra row only says whether another
 * page exists, so the last page never ends with a cursor to an empty one.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  keysetOf: (row: R) => Keyset,
  map: (row: R) => T,
): Page<T> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor(keysetOf(last)) : null,
  };
}
