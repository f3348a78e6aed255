import { decodeKeyset, encodeKeyset, type Keyset } from '@app/platform';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

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

/**
 * Turns the client's `limit`/`cursor` into a {@link PageRequest}. The cursor is read by the
 * platform's keyset cursor, which refuses anything this API did not issue — including a
 * time PostgreSQL cannot hold — as 400 `COMMON.VALIDATION_FAILED`.
 */
export function pageRequest(query: { limit?: number; cursor?: string }): PageRequest {
  const limit = Math.min(Math.max(query.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  return query.cursor ? { limit, after: decodeKeyset(query.cursor) } : { limit };
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
    nextCursor: rows.length > limit && last ? encodeKeyset(keysetOf(last)) : null,
  };
}
