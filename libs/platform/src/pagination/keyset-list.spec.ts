import { KeysetList } from './keyset-list';

const ID = '3f0c3a5e-8b7e-4a53-9a53-5a0b4b2f7c11';
const OWNER = '00000000-0000-4000-8000-00000000000a';

describe('KeysetList', () => {
  const list = new KeysetList({
    table: 'blocks',
    columns: ['blocked_id'],
    owner: 'blocker_id = $1',
    id: 'blocked_id',
  });

  it('reads the first page as limit + 1 rows of the owner, newest first', () => {
    const [sql, parameters] = list.page(OWNER, { limit: 20 });
    expect(sql).toBe(
      'SELECT blocked_id, round(extract(epoch FROM created_at) * 1000)::float8 AS created_ms ' +
        'FROM blocks WHERE blocker_id = $1 ORDER BY created_at DESC, blocked_id DESC LIMIT $2',
    );
    expect(parameters).toEqual([OWNER, 21]);
  });

  it('continues after a keyset with a row comparison the list index answers', () => {
    const after = { createdAt: new Date('2025-01-01T00:00:00.000Z'), id: ID };
    const [sql, parameters] = list.page(OWNER, { limit: 5, after });
    expect(sql).toContain('WHERE blocker_id = $1 AND (created_at, blocked_id) < ($3, $4) ORDER BY');
    expect(parameters).toEqual([OWNER, 6, after.createdAt, ID]);
  });
});
