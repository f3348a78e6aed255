import { Metadata } from '@grpc/grpc-js';
import { inspect } from 'node:util';
import { INTERNAL_TOKEN_KEY, InternalCredential } from './internal-credential';

const SECRET = 'the-service-credential-0123456789abcdef';

describe('InternalCredential', () => {
  it('accepts exactly the configured secret', () => {
    const credential = new InternalCredential(SECRET);
    expect(credential.configured).toBe(true);
    expect(credential.accepts(SECRET)).toBe(true);
    expect(credential.accepts(`${SECRET}x`)).toBe(false);
    expect(credential.accepts(SECRET.slice(1))).toBe(false);
    expect(credential.accepts('')).toBe(false);
    expect(credential.accepts(undefined)).toBe(false);
    expect(credential.accepts(Buffer.from(SECRET))).toBe(false);
  });

  it('accepts nothing when no secret is configured', () => {
    for (const token of [undefined, '']) {
      const credential = new InternalCredential(token);
      expect(credential.configured).toBe(false);
      expect(credential.accepts('')).toBe(false);
      expect(credential.accepts(undefined)).toBe(false);
    }
  });

  it("adds the secret to a call's metadata, but never over one the caller set", () => {
    const credential = new InternalCredential(SECRET);
    const fresh = new Metadata();
    credential.attachTo(fresh);
    expect(fresh.get(INTERNAL_TOKEN_KEY)).toEqual([SECRET]);

    const own = new Metadata();
    own.set(INTERNAL_TOKEN_KEY, 'chosen-by-the-caller');
    credential.attachTo(own);
    expect(own.get(INTERNAL_TOKEN_KEY)).toEqual(['chosen-by-the-caller']);

    const none = new Metadata();
    new InternalCredential(undefined).attachTo(none);
    expect(none.get(INTERNAL_TOKEN_KEY)).toEqual([]);
  });

  it('never shows the secret when printed or serialised', () => {
    const credential = new InternalCredential(SECRET);
    expect(inspect(credential, { depth: 5, showHidden: true })).not.toContain(SECRET);
    expect(JSON.stringify({ credential })).not.toContain(SECRET);
  });
});
