import { ErrorCodes } from '@app/contracts';
import { z } from 'zod';
import { DomainError } from '../errors/domain-error';
import {
  CursorPart,
  decodeCursor,
  decodeKeyset,
  encodeCursor,
  encodeKeyset,
  MAX_CURSOR_LENGTH,
} from './cursor';

const ID = '3f0c3a5e-8b7e-4a53-9a53-5a0b4b2f7c11';
const raw = (position: unknown) => Buffer.from(JSON.stringify(position)).toString('base64url');

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('keyset cursors', () => {
  it('round-trips a keyset through an opaque url-safe cursor', () => {
    const keyset = { createdAt: new Date('2025-03-04T05:06:07.089Z'), id: ID };
    const cursor = encodeKeyset(keyset);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeKeyset(cursor)).toEqual(keyset);
  });

  it.each([
    ['not base64 json', 'garbage'],
    ['wrong shape', raw({ a: 1 })],
    ['too many parts', raw(['2025-01-01T00:00:00.000Z', ID, 'x'])],
    ['bad date', raw(['yesterday', ID])],
    ['a date that does not exist', raw(['2025-02-29T00:00:00.000Z', ID])],
    // Valid for JavaScript's Date, out of range for PostgreSQL: answered 500 before.
    ['a date before PostgreSQL can count', raw(['-271821-04-20T00:00:00.000Z', ID])],
    ['a date past four-digit years', raw(['+275760-09-13T00:00:00.000Z', ID])],
    ['a date with an offset', raw(['2025-01-01T00:00:00+02:00', ID])],
    ['bad id', raw(['2025-01-01T00:00:00.000Z', "1' OR 1=1"])],
    ['too long', 'A'.repeat(MAX_CURSOR_LENGTH + 1)],
  ])('refuses a cursor with %s as a validation error naming the field', (_case, cursor) => {
    const error = refusal(() => decodeKeyset(cursor, 'after'));
    expect(error).toBeInstanceOf(DomainError);
    expect(error.kind).toBe('INVALID_ARGUMENT');
    expect(error.code).toBe(ErrorCodes.VALIDATION_FAILED);
    expect(error.details).toEqual([{ field: 'after', message: expect.any(String) }]);
  });

  it('accepts the edges of the four-digit years', () => {
    for (const iso of ['0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      expect(decodeKeyset(raw([iso, ID])).createdAt.toISOString()).toBe(iso);
    }
  });

  it('reads other positions through the shape a list declares', () => {
    const shape = z.tuple([z.string().max(32), CursorPart.uuid]);
    expect(decodeCursor(encodeCursor(['ada', ID]), shape)).toEqual(['ada', ID]);
    expect(() => decodeCursor(encodeCursor([42, ID]), shape)).toThrow(DomainError);
  });
});
