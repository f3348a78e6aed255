import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';
import { profileChanges, searchText } from './profiles.rules';

const problemsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: ErrorCodes.VALIDATION_FAILED });
    return ((error as DomainError).details ?? []).map((d) => d.field);
  }
  throw new Error('expected a validation error');
};

describe('profileChanges', () => {
  it('leaves omitted fields out and clears blank or null optional ones', () => {
    expect(profileChanges({ displayName: '   ', bio: null, avatarUrl: '' })).toEqual({
      displayName: null,
      bio: null,
      avatarUrl: null,
    });
  });

  it('trims text and keeps line breaks in a bio', () => {
    expect(profileChanges({ displayName: ' Ada L. ', bio: ' line 1\nline 2 ' })).toEqual({
      displayName: 'Ada L.',
      bio: 'line 1\nline 2',
    });
  });

  it.each(['ab', 'a'.repeat(33), 'émile', 'with space', 'semi;colon'])(
    'refuses the nickname %p',
    (nickname) => expect(problemsOf(() => profileChanges({ nickname }))).toEqual(['nickname']),
  );

  it('refuses a null nickname: every profile has one', () => {
    expect(problemsOf(() => profileChanges({ nickname: null }))).toEqual(['nickname']);
  });

  it('accepts 64 characters of display name and 500 of bio, not one more', () => {
    expect(() =>
      profileChanges({ displayName: 'd'.repeat(64), bio: 'b'.repeat(500) }),
    ).not.toThrow();
    expect(problemsOf(() => profileChanges({ displayName: 'd'.repeat(65) }))).toEqual([
      'displayName',
    ]);
    expect(problemsOf(() => profileChanges({ bio: 'b'.repeat(501) }))).toEqual(['bio']);
  });

  it('refuses control characters in a display name (and a line break) or a bio', () => {
    expect(problemsOf(() => profileChanges({ displayName: 'a\nb' }))).toEqual(['displayName']);
    expect(problemsOf(() => profileChanges({ bio: 'bell\u0007' }))).toEqual(['bio']);
  });

  it.each([
    'http://cdn.example.com/a.png',
    'javascript:alert(1)',
    'ftp://example.com/a.png',
    'not a url',
    'https://user:secret@example.com/a.png',
    `https://example.com/${'a'.repeat(2048)}`,
  ])('refuses the avatar URL %p', (avatarUrl) =>
    expect(problemsOf(() => profileChanges({ avatarUrl }))).toEqual(['avatarUrl']),
  );

  it('accepts an https avatar URL', () => {
    expect(profileChanges({ avatarUrl: 'https://cdn.example.com/a.png?size=64' })).toEqual({
      avatarUrl: 'https://cdn.example.com/a.png?size=64',
    });
  });
});

describe('searchText', () => {
  it('lower-cases and trims', () => expect(searchText('  AdA ')).toBe('ada'));
  it.each(['a', ' b ', 'x'.repeat(65)])('refuses %p', (query) =>
    expect(problemsOf(() => searchText(query))).toEqual(['query']),
  );
});
