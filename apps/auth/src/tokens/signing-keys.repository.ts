import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { IsNull, MoreThan } from 'typeorm';
import { SigningKeyEntity } from './entities/signing-key.entity';

/** Arbitrary but fixed key of the advisory lock serialising key creation and rotation. */
const KEY_CREATION_LOCK = 0x61_75_6b_79; // "auky"

@Injectable()
export class SigningKeysRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** The most recently activating key (possibly still pending), or null on an empty table. */
  findNewest(): Promise<SigningKeyEntity | null> {
    return this.tx.manager.findOne(SigningKeyEntity, {
      where: {},
      order: { activatesAt: 'DESC' },
    });
  }

  /**
   * Keys that may sign or still have valid tokens: not retired, or retired after `since`.
   * Includes keys waiting for their activation time.
   */
  findVerifiable(since: Date): Promise<SigningKeyEntity[]> {
    return this.tx.manager.find(SigningKeyEntity, {
      where: [{ retiredAt: IsNull() }, { retiredAt: MoreThan(since) }],
      order: { activatesAt: 'DESC' },
    });
  }

  /**
   * Holds a transaction-scoped advisory lock so that instances creating or rotating keys at
   * the same time create one key, not one each. Must run inside `TransactionHost.run`.
   */
  async lockKeyCreation(): Promise<void> {
    await this.tx.manager.query('SELECT pg_advisory_xact_lock($1)', [KEY_CREATION_LOCK]);
  }

  /** Every key not yet retired stops signing at `at` (when its successor activates). */
  async retireAllAt(at: Date): Promise<void> {
    await this.tx.manager.update(SigningKeyEntity, { retiredAt: IsNull() }, { retiredAt: at });
  }

  async insert(
    key: Pick<SigningKeyEntity, 'kid' | 'privateJwk' | 'publicJwk' | 'activatesAt'>,
  ): Promise<void> {
    await this.tx.manager.insert(SigningKeyEntity, key);
  }
}
