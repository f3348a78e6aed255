import { Algorithm, hash } from '@node-rs/argon2';
import type { AuthConfig } from '../config/auth.config';
import { OWASP_ARGON2_MINIMUM, PasswordHasher } from './password-hasher';

const hasherWith = (passwords = OWASP_ARGON2_MINIMUM) =>
  new PasswordHasher({ passwords } as AuthConfig);

describe('PasswordHasher', () => {
  it('hashes with argon2id at the configured parameters and verifies back', async () => {
    const hasher = hasherWith();
    const stored = await hasher.hash('correct horse battery');

    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(hasher.verify(stored, 'correct horse battery')).resolves.toBe(true);
    await expect(hasher.verify(stored, 'wrong horse battery')).resolves.toBe(false);
    await expect(hasher.verify('not a hash', 'x')).resolves.toBe(false);
    expect(hasher.needsRehash(stored)).toBe(false);
  });

  it('asks for a rehash once any parameter rises above the stored one', async () => {
    const stored = await hasherWith().hash('correct horse battery');

    expect(hasherWith({ ...OWASP_ARGON2_MINIMUM, memoryCost: 32768 }).needsRehash(stored)).toBe(
      true,
    );
    expect(hasherWith({ ...OWASP_ARGON2_MINIMUM, timeCost: 3 }).needsRehash(stored)).toBe(true);
    expect(hasherWith({ ...OWASP_ARGON2_MINIMUM, parallelism: 2 }).needsRehash(stored)).toBe(true);
  });

  it('asks for a rehash of another argon2 variant or an unparsable hash', async () => {
    const argon2i = await hash('pw', { algorithm: Algorithm.Argon2i, ...OWASP_ARGON2_MINIMUM });
    expect(hasherWith().needsRehash(argon2i)).toBe(true);
    expect(hasherWith().needsRehash('$2b$10$bcrypt-hash')).toBe(true);
  });
});
