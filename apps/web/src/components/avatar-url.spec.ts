import { describe, expect, it } from '@jest/globals';
import { displayableAvatarUrl } from './avatar-url';

describe('displayableAvatarUrl', () => {
  it('keeps an https URL (normalised as the browser would load it)', () => {
    expect(displayableAvatarUrl('https://cdn.example.com/a b.png')).toBe(
      'https://cdn.example.com/a%20b.png',
    );
  });

  it.each([
    ['nothing', null],
    ['an empty value', ''],
    ['plain http (the CSP refuses it)', 'http://cdn.example.com/a.png'],
    ['credentials in the URL', 'https://user:secret@cdn.example.com/a.png'],
    ['a script URL', 'javascript:alert(1)'],
    ['inline data', 'data:image/svg+xml,<svg/>'],
    ['no URL at all', 'not a url'],
  ])('refuses %s', (_case, value) => {
    expect(displayableAvatarUrl(value)).toBeNull();
  });
});
