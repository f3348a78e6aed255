import { Test } from '@nestjs/testing';
import { APP_CONFIG, SessionRevocations, TransactionHost } from '@app/platform';
import { decodeProtectedHeader } from 'jose';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { testDatabase } from '../../../test/e2e/support/stack';
import type { AuthConfig } from '../src/config/auth.config';
import { CreateAuthTables1732500000000 } from '../src/migrations/1732500000000-create-auth-tables';
import { SigningKeyActivation1732600000000 } from '../src/migrations/1732600000000-signing-key-activation';
import { AccessTokensService } from '../src/tokens/access-tokens.service';
import { SigningKeyEntity } from '../src/tokens/entities/signing-key.entity';
import { SigningKeysRepository } from '../src/tokens/signing-keys.repository';
import { SigningKeysService } from '../src/tokens/signing-keys.service';

/**
 * Key rotation with two auth instances sharing one real PostgreSQL database (its own,
 * so the running stack's keys are untouched), compressed into seconds: access tokens live
 * 3 s, a rotated-in key is published 1 s before it signs.
 */
const ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = `${testDatabase('auth')}_keys`;
const ACCESS_TTL = 3;
const USER = {
  userId: '0e5f3a52-2f4b-4c61-9d1e-6a1f2b3c4d5e',
  email: 'rotor@example.test',
  sessionId: '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e',
  roles: ['user'],
};

const config = {
  tokens: { issuer: 'messenger-auth', audience: 'messenger', accessTtlSeconds: ACCESS_TTL },
  signingKeys: { rotationIntervalSeconds: 2, publishLeadSeconds: 1 },
} as AuthConfig;

async function withAdmin(sql: string): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** One auth instance's key handling, on the shared data source. */
async function instance(dataSource: DataSource) {
  const moduleRef = await Test.createTestingModule({
    providers: [
      { provide: DataSource, useValue: dataSource },
      { provide: APP_CONFIG, useValue: config },
      // No session ends here: what this spec exercises is the keys.
      { provide: SessionRevocations, useValue: { isRevoked: () => false } },
      TransactionHost,
      SigningKeysRepository,
      SigningKeysService,
      AccessTokensService,
    ],
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return {
    keys: moduleRef.get(SigningKeysService),
    tokens: moduleRef.get(AccessTokensService),
    close: () => moduleRef.close(),
  };
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid;

describe('signing-key rotation (two instances, real PostgreSQL)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    // The name says "test": never a database anyone keeps data in.
    await withAdmin(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
    await withAdmin(`CREATE DATABASE "${DATABASE}"`);
    dataSource = await new DataSource({
      type: 'postgres',
      url: ADMIN_URL.replace(/\/[^/]*$/, `/${DATABASE}`),
      entities: [SigningKeyEntity],
      migrations: [CreateAuthTables1732500000000, SigningKeyActivation1732600000000],
    }).initialize();
    await dataSource.runMigrations();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await withAdmin(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
  });

  it('publishes the new key first, then signs with it, and keeps the old one until its tokens expire', async () => {
    const [a, b] = await Promise.all([instance(dataSource), instance(dataSource)]);
    try {
      // Two instances starting together on an empty table agree on one key.
      const oldKid = a.keys.signingKey().kid;
      expect(b.keys.signingKey().kid).toBe(oldKid);
      const oldToken = (await a.tokens.issue(USER)).token;
      expect(kidOf(oldToken)).toBe(oldKid);

      const newKid = await a.keys.rotate(1);
      expect(newKid).not.toBe(oldKid);
      await b.keys.reload(); // b's periodic reread
      // Published at once, but not signing yet: verifiers get to cache it first.
      expect((await a.keys.publicKeys()).map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort());
      expect(kidOf((await b.tokens.issue(USER)).token)).toBe(oldKid);

      await sleep(1_100);

      // Both instances now sign with the new key…
      const fromA = (await a.tokens.issue(USER)).token;
      const fromB = (await b.tokens.issue(USER)).token;
      expect(kidOf(fromA)).toBe(newKid);
      expect(kidOf(fromB)).toBe(newKid);
      // …each verifies the other's tokens, and the token signed before rotation still verifies.
      await expect(a.tokens.verify(fromB)).resolves.toMatchObject({ userId: USER.userId });
      await expect(b.tokens.verify(fromA)).resolves.toMatchObject({ userId: USER.userId });
      await expect(a.tokens.verify(oldToken)).resolves.toMatchObject({ userId: USER.userId });
      await expect(b.tokens.verify(oldToken)).resolves.toMatchObject({ userId: USER.userId });

      // Once every token of the old key has expired, the key leaves the JWKS.
      await sleep(ACCESS_TTL * 1000 + 200);
      expect((await a.keys.publicKeys()).map((k) => k.kid)).toEqual([newKid]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('rotates on schedule exactly once, however many instances find the key due', async () => {
    const [a, b] = await Promise.all([instance(dataSource), instance(dataSource)]);
    try {
      await a.keys.rotate(0); // a fresh key: not due yet
      const before = (await a.keys.publicKeys()).length;
      expect(await a.keys.rotateIfDue()).toBe(false);

      await sleep(2_100); // KEY_ROTATION_INTERVAL of this config
      const outcomes = await Promise.all([a.keys.rotateIfDue(), b.keys.rotateIfDue()]);

      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect((await a.keys.publicKeys()).length).toBe(before + 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
