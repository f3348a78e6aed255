import { decodeKeyset, encodeKeyset, type Keyset } from './cursor';

/** Items per page when a client does not say. */
export const DEFAULT_PAGE_SIZE = 20;
/** The most items a page holds. */
export const MAX_PAGE_SIZE = 100;

/** What a repository needs to read one page: how many, and after which item. */
export interface PageRequest {
  limit: number;
  after?: Keyset;
}

/** One page of a keyset-paginated list; `nextCursor` is null on the last page. */
export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Turns a client's `limit`/`cursor` into a {@link PageRequest}: the limit clamped to
 * 1..{@link MAX_PAGE_SIZE}, the cursor read by {@link decodeKeyset}, which refuses anything
 * this API did not issue — including a time PostgreSQL cannot hold — as
 * `COMMON.VALIDATION_FAILED`.
 */
export function pageRequest(query: { limit?: number; cursor?: string }): PageRequest {
  const limit = Math.min(Math.max(query.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  return query.cursor ? { limit, after: decodeKeyset(query.cursor) } : { limit };
}

/**
 * Builds a page from rows read with `limit + 1`: the extra row only says whether another
 * page exists, so the last page never ends with a cursor to an empty one.
 */
export function toKeysetPage<R, T>(
  rows: R[],
  limit: number,
  keysetOf: (row: R) => Keyset,
  map: (row: R) => T,
): KeysetPage<T> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor: rows.length > limit && last ? encodeKeyset(keysetOf(last)) : null,
  };
}

/**
 * One page of a keyset list, start to end: the client's `limit`/`cursor` read by
 * {@link pageRequest}, `read` asked for `limit + 1` rows after the cursor's position, the
 * page built by {@link toKeysetPage}.
 */
export async function keysetPage<R, T>(
  query: { limit?: number; cursor?: string },
  read: (page: PageRequest) => Promise<R[]>,
  keysetOf: (row: R) => Keyset,
  map: (row: R) => T,
): Promise<KeysetPage<T>> {
  const page = pageRequest(query);
  return toKeysetPage(await read(page), page.limit, keysetOf, map);
}
