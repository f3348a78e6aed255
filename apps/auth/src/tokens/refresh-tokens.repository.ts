import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { RefreshTokenFamilyEntity } from './entities/refresh-token-family.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';

/** A refresh token with the family it belongs to. */
export interface RefreshTokenWithFamily {
  token: RefreshTokenEntity;
  family: RefreshTokenFamilyEntity;
}

/** A session that was just ended, and when it last received an access token. */
export interface EndedFamily {
  id: string;
  userId: string;
  lastUsedAt: Date;
}

interface EndedFamilyRow {
  id: string;
  user_id: string;
  last_used_at: Date;
}

const toEnded = (row: EndedFamilyRow): EndedFamily => ({
  id: row.id,
  userId: row.user_id,
  lastUsedAt: row.last_used_at,
});

@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insertFamily(
    family: Pick<RefreshTokenFamilyEntity, 'id' | 'userId' | 'userAgent' | 'ip'>,
  ): Promise<void> {
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

  /** The family (session) of a token, without locking anything. */
  async findFamilyByTokenHash(tokenHash: Buffer): Promise<RefreshTokenFamilyEntity | null> {
    return this.tx.manager
      .createQueryBuilder(RefreshTokenFamilyEntity, 'f')
      .innerJoin(RefreshTokenEntity, 't', 't.family_id = f.id')
      .where('t.token_hash = :tokenHash', { tokenHash })
      .getOne();
  }

  findFamily(id: string): Promise<RefreshTokenFamilyEntity | null> {
    return this.tx.manager.findOneBy(RefreshTokenFamilyEntity, { id });
  }

  async markUsed(tokenId: string, at: Date): Promise<void> {
    await this.tx.manager.update(RefreshTokenEntity, { id: tokenId }, { usedAt: at });
  }

  /** Records that the session received tokens now (a refresh). */
  async touchFamily(familyId: string): Promise<void> {
    await this.tx.manager.update(
      RefreshTokenFamilyEntity,
      { id: familyId },
      { lastUsedAt: () => 'now()' },
    );
  }

  /** Revokes one family unless it already was; resolves it only if this call revoked it. */
  async revokeFamily(familyId: string): Promise<EndedFamily | null> {
    const rows: EndedFamilyRow[] = await this.tx.manager.query(
      `WITH ended AS (
         UPDATE refresh_token_families SET revoked_at = now()
          WHERE id = $1 AND revoked_at IS NULL
          RETURNING id, user_id, last_used_at
       )
       SELECT * FROM ended`,
      [familyId],
    );
    return rows.length > 0 ? toEnded(rows[0]) : null;
  }

  /** Revokes every family of `userId` not revoked yet (but `exceptId`); resolves them. */
  async revokeFamiliesOf(userId: string, exceptId?: string): Promise<EndedFamily[]> {
    const rows: EndedFamilyRow[] = await this.tx.manager.query(
      `WITH ended AS (
         UPDATE refresh_token_families SET revoked_at = now()
          WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)
          RETURNING id, user_id, last_used_at
       )
       SELECT * FROM ended`,
      [userId, exceptId ?? null],
    );
    return rows.map(toEnded);
  }

  /**
   * The sessions of `userId` that are alive: not revoked, younger than their absolute
   * deadline, and holding a refresh token that can still be exchanged. Most recently used
   * first.
   */
  findLiveFamilies(userId: string, startedAfter: Date): Promise<RefreshTokenFamilyEntity[]> {
    return this.tx.manager
      .createQueryBuilder(RefreshTokenFamilyEntity, 'f')
      .where('f.user_id = :userId', { userId })
      .andWhere('f.revoked_at IS NULL')
      .andWhere('f.created_at > :startedAfter', { startedAfter })
      .andWhere(
        `EXISTS (SELECT 1 FROM refresh_tokens t
                  WHERE t.family_id = f.id AND t.used_at IS NULL AND t.expires_at > now())`,
      )
      .orderBy('f.last_used_at', 'DESC')
      .addOrderBy('f.id', 'ASC')
      .getMany();
  }
}
