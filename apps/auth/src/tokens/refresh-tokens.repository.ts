import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { IsNull } from 'typeorm';
import { RefreshTokenFamilyEntity } from './entities/refresh-token-family.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';

/** A refresh token with the family it belongs to. */
export interface RefreshTokenWithFamily {
  token: RefreshTokenEntity;
  family: RefreshTokenFamilyEntity;
}

@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insertFamily(family: { id: string; userId: string }): Promise<void> {
    await this.tx.manager.insert(RefreshTokenFamilyEntity, family);
  }

  async insertToken(
    token: Pick<RefreshTokenEntity, 'id' | 'familyId' | 'tokenHash' | 'expiresAt'>,
  ): Promise<void> {
    await this.tx.manager.insert(RefreshTokenEntity, token);
  }

  /**
   * Finds a token by its hash and locks its row until the transaction ends, so two
   * concurrent refreshes with one token are serialised: the second sees it used.
   */
  async findByHashForUpdate(tokenHash: Buffer): Promise<RefreshTokenWithFamily | null> {
    const token = await this.tx.manager
      .createQueryBuilder(RefreshTokenEntity, 't')
      .where('t.token_hash = :tokenHash', { tokenHash })
      .setLock('pessimistic_write')
      .getOne();
    if (!token) return null;
    const family = await this.tx.manager.findOneByOrFail(RefreshTokenFamilyEntity, {
      id: token.familyId,
    });
    return { token, family };
  }

  async findByHash(tokenHash: Buffer): Promise<RefreshTokenEntity | null> {
    return this.tx.manager.findOneBy(RefreshTokenEntity, { tokenHash });
  }

  async markUsed(tokenId: string, at: Date): Promise<void> {
    await this.tx.manager.update(RefreshTokenEntity, { id: tokenId }, { usedAt: at });
  }

  async revokeFamily(familyId: string, at: Date): Promise<void> {
    await this.tx.manager.update(
      RefreshTokenFamilyEntity,
      { id: familyId, revokedAt: IsNull() },
      { revokedAt: at },
    );
  }
}
