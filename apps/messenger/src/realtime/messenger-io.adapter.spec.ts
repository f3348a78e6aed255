import type { IncomingMessage } from 'node:http';
import { originAllowed } from './messenger-io.adapter';

const request = (origin?: string) =>
  ({ headers: origin === undefined ? {} : { origin } }) as IncomingMessage;

describe('originAllowed', () => {
  const allowlist = ['https://app.example.test'];

  it('lets a listed browser origin in', () => {
    expect(originAllowed(request('https://app.example.test'), allowlist)).toBe(true);
  });

  it('refuses an origin off the list', () => {
    expect(originAllowed(request('https://evil.example.test'), allowlist)).toBe(false);
  });

  it('lets clients without an Origin in (native apps; the token authenticates them)', () => {
    expect(originAllowed(request(), allowlist)).toBe(true);
  });

  it('lets anything in with the * wildcard', () => {
    expect(originAllowed(request('https://any.example.test'), '*')).toBe(true);
  });
});
