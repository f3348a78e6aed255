import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
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
/** How often an instance rereads the keys (rotations by other instances) and checks rotation. */
const MAINTENANCE_INTERVAL_MS = 60_000;

/** A key as held in memory: its window and the halves this instance may need. */
interface LoadedKey {
  kid: string;
  activatesAt: number;
  retiredAt: number | null;
  publicKey: Key;
  privateKey: Key;
}

/**
 * Holds auth's signing keys. Keys live in the database, so every instance and every
 * restart signs with the same key and issued tokens stay valid.
 *
 * Rotation: a new key is inserted with `activatesAt = now + KEY_PUBLISH_LEAD` and every
 * older key is set to retire at that same instant. Until then the new key is only
 * published (JWKS); from then on it signs, on every instance at once (each picks the key
 * whose window contains "now"), and the old key stays published until the tokens it signed
 * have expired. Rotation runs every `KEY_ROTATION_INTERVAL`, or on demand via {@link rotate}.
 */
@Injectable()
export class SigningKeysService
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(SigningKeysService.name);
  private loaded: LoadedKey[] = [];
  private lastReload = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly keys: SigningKeysRepository,
    private readonly tx: TransactionHost,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    // An empty table (first start): a key that signs at once.
    if (!(await this.keys.findNewest())) await this.addKey(0, (newest) => newest !== null);
    await this.reload();
    this.logger.log({ kid: this.signingKey().kid }, 'Signing access tokens');
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.maintain(), MAINTENANCE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The key and `kid` new access tokens are signed with now. */
  signingKey(): { kid: string; key: Key } {
    const now = Date.now();
    // `loaded` is newest activation first: the first key already active and not retired.
    const key = this.loaded.find(
      (k) => k.activatesAt <= now && (k.retiredAt === null || k.retiredAt > now),
    );
    if (!key) throw new Error('No signing key is active (used before initialisation?)');
    return { kid: key.kid, key: key.privateKey };
  }

  /**
   * Resolves the public key of a token's `kid` (a `jose` key-lookup function). A `kid`
   * this instance has not seen (a key another instance created) triggers one reload.
   */
  readonly verificationKey = async (header: JWTHeaderParameters): Promise<Key> => {
    const kid = header.kid;
    if (!kid) throw new Error('token has no kid');
    let key = this.loaded.find((k) => k.kid === kid);
    if (!key && Date.now() - this.lastReload > RELOAD_COOLDOWN_MS) {
      await this.reload();
      key = this.loaded.find((k) => k.kid === kid);
    }
    if (!key) throw new Error('unknown kid');
    return key.publicKey;
  };

  /** Public halves of every key that signs, will sign, or may still have valid tokens. */
  async publicKeys(): Promise<PublicJwk[]> {
    const rows = await this.keys.findVerifiable(this.retiredCutoff());
    return rows.map((row) => toPublicJwk(row));
  }

  /**
   * Starts a rotation: a new key, published now, signing after `leadSeconds` (default
   * `KEY_PUBLISH_LEAD`); every older key retires at that moment. Returns the new `kid`.
   */
  async rotate(leadSeconds = this.config.signingKeys.publishLeadSeconds): Promise<string> {
    await this.addKey(leadSeconds);
    await this.reload();
    return this.loaded[0].kid;
  }

  /** Rereads the keys from the database (rotations done by other instances). */
  async reload(): Promise<void> {
    this.lastReload = Date.now();
    const rows = await this.keys.findVerifiable(this.retiredCutoff());
    this.loaded = await Promise.all(
      rows.map(async (row) => ({
        kid: row.kid,
        activatesAt: row.activatesAt.getTime(),
        retiredAt: row.retiredAt?.getTime() ?? null,
        publicKey: await importJWK(row.publicJwk, SIGNING_ALGORITHM),
        privateKey: await importJWK(row.privateJwk, SIGNING_ALGORITHM),
      })),
    );
  }

  /** Periodic: picks up other instances' rotations, and rotates when the key is due. */
  private async maintain(): Promise<void> {
    try {
      await this.rotateIfDue();
      await this.reload();
    } catch (error) {
      // The current key keeps signing; the next round tries again.
      this.logger.error({ err: error }, 'Signing-key maintenance failed');
    }
  }

  /**
   * Rotates when the newest key activated `KEY_ROTATION_INTERVAL` ago or earlier. Every
   * instance runs this on its timer; the check is repeated under the key lock, so one
   * rotation happens however many instances find it due. Resolves whether this one rotated.
   */
  async rotateIfDue(): Promise<boolean> {
    const interval = this.config.signingKeys.rotationIntervalSeconds;
    if (interval === 0) return false;
    const due = (newest: SigningKeyEntity | null) =>
      newest !== null && Date.now() - newest.activatesAt.getTime() >= interval * 1000;
    if (!due(await this.keys.findNewest())) return false;
    let rotated = false;
    await this.addKey(this.config.signingKeys.publishLeadSeconds, (newest) => {
      rotated = due(newest);
      return !rotated;
    });
    return rotated;
  }

  /** A retired key stays published for as long as tokens it signed can be alive. */
  private retiredCutoff(): Date {
    return new Date(Date.now() - this.config.tokens.accessTtlSeconds * 1000);
  }

  /**
   * Under the key lock: unless `skip(newest)` says another instance already did the work,
   * inserts a key that activates in `leadSeconds` and retires every other key at that moment.
   */
  private addKey(
    leadSeconds: number,
    skip: (newest: SigningKeyEntity | null) => boolean = () => false,
  ): Promise<void> {
    return this.tx.run(async () => {
      await this.keys.lockKeyCreation();
      // Rechecked under the lock: instances starting or rotating together create one key.
      if (skip(await this.keys.findNewest())) return;
      const pair = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
      const publicJwk = await exportJWK(pair.publicKey);
      const privateJwk = await exportJWK(pair.privateKey);
      const kid = await calculateJwkThumbprint(publicJwk);
      const activatesAt = new Date(Date.now() + leadSeconds * 1000);
      await this.keys.retireAllAt(activatesAt);
      await this.keys.insert({ kid, publicJwk, privateJwk, activatesAt });
      this.logger.log({ kid, activatesAt }, 'Created a signing key');
    });
  }
}

function toPublicJwk(row: SigningKeyEntity): PublicJwk {
  // Copy only the public EC members, whatever else the stored JWK may carry.
  const { kty, crv, x, y } = row.publicJwk;
  return { kty, crv, x, y, kid: row.kid, alg: SIGNING_ALGORITHM, use: 'sig' };
}
