import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE, pageRequest, toPage } from './pagination';

const ID = '3f0c3a5e-8b7e-4a53-9a53-5a0b4b2f7c11';

describe('pagination', () => {
  it('round-trips a keyset through an opaque url-safe cursor', () => {
    const keyset = { createdAt: new Date('2025-03-04T05:06:07.089Z'), id: ID };
    const cursor = encodeCursor(keyset);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(keyset);
  });

  it.each([
    ['not base64 json', 'garbage'],
    ['wrong shape', Buffer.from('{"a":1}').toString('base64url')],
    ['bad date', Buffer.from(JSON.stringify(['yesterday', ID])).toString('base64url')],
    [
      'bad id',
      Buffer.from(JSON.stringify(['2025-01-01T00:00:00Z', "1' OR 1=1"])).toString('base64url'),
    ],
  ])('rejects a cursor with %s as a validation error', (_case, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(DomainError);
    try {
      decodeCursor(cursor);
    } catch (error) {
      expect((error as DomainError).code).toBe(ErrorCodes.VALIDATION_FAILED);
      expect((error as DomainError).kind).toBe('INVALID_ARGUMENT');
    }
  });

  it('defaults the page size to 20 and caps it', () => {
    expect(pageRequest({})).toEqual({ limit: 20 });
    expect(pageRequest({ limit: 1000 }).limit).toBe(MAX_PAGE_SIZE);
  });

  it('gives a cursor only when a row beyond the page was read', () => {
    const rows = [1, 2, 3].map((n) => ({ n, createdAt: new Date(n * 1000), id: ID }));
    const keyset = (r: (typeof rows)[number]) => ({ createdAt: r.createdAt, id: r.id });

    const full = toPage(rows, 2, keyset, (r) => r.n);
    expect(full.items).toEqual([1, 2]);
    expect(decodeCursor(full.nextCursor!)).toEqual({ createdAt: new Date(2000), id: ID });

    expect(toPage(rows, 3, keyset, (r) => r.n)).toEqual({ items: [1, 2, 3], nextCursor: null });
  });
});
