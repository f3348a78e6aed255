import { validationFailed } from '@app/platform';

/** Items per page when a client does not say (`first` omitted). */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest `first` a client may ask for; the GraphQL limits refuse more before resolvers run. */
export const MAX_PAGE_SIZE = 100;

/** One page of a keyset-paginated list: each item with the opaque cursor that follows it. */
export interface Page<T> {
  items: Array<{ cursor: string; node: T }>;
  hasNextPage: boolean;
}

/** `first` checked against 1..{@link MAX_PAGE_SIZE}; {@link DEFAULT_PAGE_SIZE} when absent. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw validationFailed([{ field: 'first', message: `must be between 1 and ${MAX_PAGE_SIZE}` }]);
  }
  return first;
}

/** Splits the `limit + 1` rows fetched into a page: the extra row only says there is more. */
export function toPage<T>(
  rows: readonly T[],
  limit: number,
  cursorOf: (row: T) => string,
): Page<T> {
  const items = rows.slice(0, limit).map((node) => ({ cursor: cursorOf(node), node }));
  return { items, hasNextPage: rows.length > limit };
}
