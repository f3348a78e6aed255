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
    ['a right-to-left override', 'admin\u202Egnp.exe'],
    ['a left-to-right embedding', '\u202Aadmin'],
    ['a first-strong isolate', 'ad\u2068min\u2069'],
    ['a zero-width space', 'ad\u200Bmin'],
    ['a zero-width non-joiner', 'ad\u200Cmin'],
    ['a zero-width joiner between letters', 'ad\u200Dmin'],
    ['a word joiner', 'ad\u2060min'],
    ['a soft hyphen', 'ad\u00ADmin'],
    ['a byte-order mark inside', 'ad\uFEFFmin'],
    ['an Arabic letter mark', 'ad\u061Cmin'],
    ['a Hangul filler', '\u3164'],
    ['a halfwidth Hangul filler', 'a\uFFA0b'],
    ['a variation selector on a letter', 'a\uFE0Fdmin'],
    ['a tag character', 'admin\u{E0041}'],
    ['a line separator', 'ad\u2028min'],
    ['a blank braille pattern', '\u2800'],
    ['a C1 control', 'ad\u0085min'],
    ['a lone surrogate', 'ad\uD800min'],
  ])('refuses %s in a display name and in a bio', (_what, text) => {
    expect(problemsOf(() => profileChanges({ displayName: text }))).toEqual(['displayName']);
    expect(problemsOf(() => profileChanges({ bio: `about: ${text}` }))).toEqual(['bio']);
  });

  it('keeps other scripts, emoji sequences and, in a bio, tabs and line breaks', () => {
    const names = [
      'Zo\u00EB \u00C5sa \u674E\u96F7 \u0645\u0631\u062D\u0628\u0627 \u0928\u092E\u0938\u094D\u0924\u0947',
      // woman technologist (joined by U+200D), rainbow flag (U+FE0F and U+200D)
      'Ada \u{1F469}\u200D\u{1F4BB} \u{1F3F3}\uFE0F\u200D\u{1F308}',
      // flag of Scotland (tag characters), keycap one, waving hand with a skin tone
      '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} 1\uFE0F\u20E3 \u{1F44B}\u{1F3FD}',
    ];
    for (const displayName of names) {
      expect(profileChanges({ displayName })).toEqual({ displayName });
    }
    expect(profileChanges({ bio: 'line 1\n\tline 2 \u{1F44B}' })).toEqual({
      bio: 'line 1\n\tline 2 \u{1F44B}',
    });
  });

  it('says why in the validation details', () => {
    try {
      profileChanges({ displayName: 'admin\u202Egnp.exe' });
    } catch (error) {
      expect((error as DomainError).details).toEqual([
        {
          field: 'displayName',
          message: 'must not contain control, format or invisible characters',
        },
      ]);
    }
    expect.assertions(1);
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
