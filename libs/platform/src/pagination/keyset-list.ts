import type { EntityManager } from 'typeorm';
import type { PageRequest } from './keyset-page';

/** A list of one table: whose rows, which columns, and the id that breaks ties in time. */
export interface KeysetListSpec {
  table: string;
  /** Columns to read besides `created_at`. */
  columns: readonly string[];
  /** The condition selecting one owner's rows, with the owner as `$1`. */
  owner: string;
  /** The column ordering rows of the same `created_at`. */
  id: string;
}

/**
 * One keyset-paginated list, newest first: the owner's rows ordered by
 * `(created_at DESC, id DESC)`, a page continuing after the last row seen with the row
 * comparison `(created_at, id) < ($3, $4)`. Each list has an index on
 * `(owner, created_at DESC, id DESC)`, so every page is one index range scan of
 * `limit + 1` rows however deep it is.
 *
 * The statements are built once and run as plain SQL, without the query builder or entity
 * hydration: lists are among a service's hottest reads. `created_at` comes back as epoch
 * milliseconds, which makes a `Date` without parsing timestamp text (the columns keep
 * milliseconds, so nothing is lost).
 */
export class KeysetList {
  private readonly first: string;
  private readonly after: string;

  constructor(spec: KeysetListSpec) {
    const select =
      `SELECT ${[...spec.columns, 'round(extract(epoch FROM created_at) * 1000)::float8 AS created_ms'].join(', ')} ` +
      `FROM ${spec.table} WHERE ${spec.owner}`;
    const order = ` ORDER BY created_at DESC, ${spec.id} DESC LIMIT $2`;
    this.first = select + order;
    this.after = `${select} AND (created_at, ${spec.id}) < ($3, $4)${order}`;
  }

  /** The statement and parameters reading `page.limit + 1` rows of `owner` after `page.after`. */
  page(owner: string, page: PageRequest): [sql: string, parameters: unknown[]] {
    return page.after
      ? [this.after, [owner, page.limit + 1, page.after.createdAt, page.after.id]]
      : [this.first, [owner, page.limit + 1]];
  }

  /**
   * Runs {@link page}: up to `page.limit + 1` rows, each with its columns as PostgreSQL
   * names them and `createdAt`.
   */
  async read<R extends object>(
    manager: EntityManager,
    owner: string,
    page: PageRequest,
  ): Promise<Array<R & { createdAt: Date }>> {
    const rows: Array<R & { created_ms: number }> = await manager.query(...this.page(owner, page));
    return rows.map(({ created_ms, ...columns }) => ({
      ...(columns as unknown as R),
      createdAt: new Date(created_ms),
    }));
  }
}
