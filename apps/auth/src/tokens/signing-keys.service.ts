import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, TransactionHost } from '@app/platform';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
  type JWTHeaderParameters,
} from 'jose';
import type { AuthConfig } from '../config/auth.config';
import { SigningKeyEntity } from './entities/signing-key.entity';
import { SigningKeysRepository } from './signing-keys.repository';

/** The only algorithm auth signs with; verifiers pin it too. */
export const SIGNING_ALGORITHM = 'ES256';

/** A public key as served in the JWKS. */
export type PublicJwk = JWK & { kid: string; alg: string; use: 'sig' };

type Key = CryptoKey | Uint8Array;

/** How long an unknown `kid` has to wait before it may trigger another database read. */
const RELOAD_COOLDOWN_MS = 30_000;

/**
 * Holds auth's signing keys. At start-up it loads the newest active key from the database
 * or, on an empty table, creates one, so every instance and every restart signs with the
 * same key and issued tokens stay valid.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger(SigningKeysService.name);
  private signing?: { kid: string; key: Key };
  private readonly verification = new Map<string, Key>();
  private lastReload = 0;

  constructor(
    private readonly keys: SigningKeysRepository,
    private readonly tx: TransactionHost,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const key = (await this.keys.findNewestActive()) ?? (await this.createFirstKey());
    this.signing = { kid: key.kid, key: await importJWK(key.privateJwk, SIGNING_ALGORITHM) };
    await this.reloadVerificationKeys();
    this.logger.log({ kid: key.kid }, 'Signing access tokens');
  }

  /** The key and `kid` new access tokens are signed with. */
  signingKey(): { kid: string; key: Key } {
    if (!this.signing) throw new Error('SigningKeysService used before initialisation');
    return this.signing;
  }

  /**
   * Resolves the public key of a token's `kid` (a `jose` key-lookup function). A `kid`
   * this instance has not seen (a key another instance created) triggers one reload.
   */
  readonly verificationKey = async (header: JWTHeaderParameters): Promise<Key> => {
    const kid = header.kid;
    if (!kid) throw new Error('token has no kid');
    let key = this.verification.get(kid);
    if (!key && Date.now() - this.lastReload > RELOAD_COOLDOWN_MS) {
      await this.reloadVerificationKeys();
      key = this.verification.get(kid);
    }
    if (!key) throw new Error('unknown kid');
    return key;
  };

  /** Public halves of every key whose tokens may still be valid, for the JWKS endpoint. */
  async publicKeys(): Promise<PublicJwk[]> {
    const rows = await this.keys.findVerifiable(this.retiredCutoff());
    return rows.map((row) => toPublicJwk(row));
  }

  private async reloadVerificationKeys(): Promise<void> {
    this.lastReload = Date.now();
    const rows = await this.keys.findVerifiable(this.retiredCutoff());
    this.verification.clear();
    for (const row of rows) {
      this.verification.set(row.kid, await importJWK(row.publicJwk, SIGNING_ALGORITHM));
    }
  }

  /** A retired key stays published for as long as tokens it signed can be alive. */
  private retiredCutoff(): Date {
    return new Date(Date.now() - this.config.tokens.accessTtlSeconds * 1000);
  }

  private createFirstKey(): Promise<SigningKeyEntity> {
    return this.tx.run(async () => {
      await this.keys.lockKeyCreation();
      // Another instance may have won the race while this one waited for the lock.
      const existing = await this.keys.findNewestActive();
      if (existing) return existing;
      const pair = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
      const publicJwk = await exportJWK(pair.publicKey);
      const privateJwk = await exportJWK(pair.privateKey);
      const kid = await calculateJwkThumbprint(publicJwk);
      await this.keys.insert({ kid, publicJwk, privateJwk });
      this.logger.log({ kid }, 'Created a new signing key');
      const created = await this.keys.findNewestActive();
      if (!created) throw new Error('signing key vanished right after insert');
      return created;
    });
  }
}

function toPublicJwk(row: SigningKeyEntity): PublicJwk {
  // Copy only the public EC members, whatever else the stored JWK may carry.
  const { kty, crv, x, y } = row.publicJwk;
  return { kty, crv, x, y, kid: row.kid, alg: SIGNING_ALGORITHM, use: 'sig' };
}
