import { Algorithm, hash } from '@node-rs/argon2';
import type { Client } from 'pg';
import { type AuthGrpcClient, authClient } from '../../../test/e2e/support/clients';
import { authDatabase, newUser } from './helpers';

describe('auth password hashes', () => {
  let auth: AuthGrpcClient;
  let db: Client;

  beforeAll(async () => {
    auth = authClient();
    db = await authDatabase();
  });

  afterAll(async () => {
    auth.close();
    await db.end();
  });

  const storedHash = async (userId: string): Promise<string> => {
    const { rows } = await db.query<{ password_hash: string }>(
      'SELECT password_hash FROM credentials WHERE user_id = $1',
      [userId],
    );
    return rows[0].password_hash;
  };

  it('stores argon2id at OWASP’s minimum or above, never the password', async () => {
    const user = newUser('hash');
    const { userId } = await auth.register(user);
    const stored = await storedHash(userId);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored).not.toContain(user.password);
  });

  it('rehashes at login a hash made with weaker parameters than today’s', async () => {
    const user = newUser('rehash');
    const { userId } = await auth.register(user);
    // As if the account had been created when the parameters were lower.
    const weak = await hash(user.password, {
      algorithm: Algorithm.Argon2id,
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    await db.query('UPDATE credentials SET password_hash = $1 WHERE user_id = $2', [weak, userId]);

    await expect(auth.login(user)).resolves.toMatchObject({ userId });

    const upgraded = await storedHash(userId);
    expect(upgraded).not.toBe(weak);
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // The upgraded hash still holds the same password.
    await expect(auth.login(user)).resolves.toMatchObject({ userId });
  });
});
