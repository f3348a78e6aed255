import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { IsNull, MoreThan } from 'typeorm';
import { SigningKeyEntity } from './entities/signing-key.entity';

/** Arbitrary but fixed key of the advisory lock serialising first-key creation. */
const KEY_CREATION_LOCK = 0x61_75_6b_79; // "auky"

@Injectable()
export class SigningKeysRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** The key new tokens are signed with: the newest one not retired. */
  findNewestActive(): Promise<SigningKeyEntity | null> {
    return this.tx.manager.findOne(SigningKeyEntity, {
      where: { retiredAt: IsNull() },
      order: { createdAt: 'DESC' },
    });
  }

  /** Keys that may still have valid tokens: active ones, and those retired after `since`. */
  findVerifiable(since: Date): Promise<SigningKeyEntity[]> {
    return this.tx.manager.find(SigningKeyEntity, {
      where: [{ retiredAt: IsNull() }, { retiredAt: MoreThan(since) }],
      order: { createdAt: 'DESC' },
    });
  }

  /**
   * Holds a transaction-scoped advisory lock so that instances starting together on an
   * empty table create one key, not one each. Must run inside `TransactionHost.run`.
   */
  async lockKeyCreation(): Promise<void> {
    await this.tx.manager.query('SELECT pg_advisory_xact_lock($1)', [KEY_CREATION_LOCK]);
  }

  async insert(key: Pick<SigningKeyEntity, 'kid' | 'privateJwk' | 'publicJwk'>): Promise<void> {
    await this.tx.manager.insert(SigningKeyEntity, key);
  }
}
