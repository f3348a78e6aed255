import { ErrorCodes } from '@app/contracts';
import { DomainError } from '../errors/domain-error';
import { decodeKeyset, encodeKeyset } from './cursor';
import { MAX_PAGE_SIZE, pageRequest, toKeysetPage } from './keyset-page';

const ID = '3f0c3a5e-8b7e-4a53-9a53-5a0b4b2f7c11';
const cursorOf = (position: unknown[]) =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

describe('pagination', () => {
  it('reads the keyset of a cursor this API issued', () => {
    const keyset = { createdAt: new Date('2025-03-04T05:06:07.089Z'), id: ID };
    expect(pageRequest({ limit: 5, cursor: encodeKeyset(keyset) })).toEqual({
      limit: 5,
      after: keyset,
    });
  });

  it.each([
    ['garbage', 'garbage'],
    // A Date JavaScript can hold and PostgreSQL cannot: once answered 500.
    ['a time out of PostgreSQL range', cursorOf(['-271821-04-20T00:00:00.000Z', ID])],
    ['an id that is not a UUID', cursorOf(['2025-01-01T00:00:00.000Z', "1' OR 1=1"])],
  ])('refuses %s before any query runs, as a validation error', (_case, cursor) => {
    expect(() => pageRequest({ cursor })).toThrow(
      expect.objectContaining({
        constructor: DomainError,
        kind: 'INVALID_ARGUMENT',
        code: ErrorCodes.VALIDATION_FAILED,
      }),
    );
  });

  it('defaults the page size to 20 and caps it', () => {
    expect(pageRequest({})).toEqual({ limit: 20 });
    expect(pageRequest({ limit: 1000 }).limit).toBe(MAX_PAGE_SIZE);
  });

  it('gives a cursor only when a row beyond the page was read', () => {
    const rows = [1, 2, 3].map((n) => ({ n, createdAt: new Date(n * 1000), id: ID }));
    const keyset = (r: (typeof rows)[number]) => ({ createdAt: r.createdAt, id: r.id });

    const full = toKeysetPage(rows, 2, keyset, (r) => r.n);
    expect(full.items).toEqual([1, 2]);
    expect(decodeKeyset(full.nextCursor!)).toEqual({ createdAt: new Date(2000), id: ID });

    expect(toKeysetPage(rows, 3, keyset, (r) => r.n)).toEqual({
      items: [1, 2, 3],
      nextCursor: null,
    });
  });
});
