import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { In, QueryFailedError } from 'typeorm';
import { NicknameReservationEntity } from './entities/nickname-reservation.entity';
import {
  ProfileEntity,
  profileColumns,
  profileFromRow,
  type ProfileRow,
} from './entities/profile.entity';
import type { ProfileChanges } from './profiles.rules';

const UNIQUE_VIOLATION = '23505';

/** Escapes LIKE's wildcards (`_` is common in nicknames) so user text matches literally. */
const likePrefix = (text: string): string => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A search hit: the profile and its rank (prefix match first, then trigram similarity). */
export interface RankedProfile {
  profile: ProfileEntity;
  rank: number;
}

const isUniqueViolation = (error: unknown): boolean =>
  error instanceof QueryFailedError &&
  (error.driverError as { code?: string } | undefined)?.code === UNIQUE_VIOLATION;

/** Profiles and nickname reservations in PostgreSQL; the only TypeORM code of the feature. */
@Injectable()
export class ProfilesRepository {
  constructor(private readonly tx: TransactionHost) {}

  findById(id: string): Promise<ProfileEntity | null> {
    return this.tx.manager.findOneBy(ProfileEntity, { id });
  }

  findByIds(ids: readonly string[]): Promise<ProfileEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.tx.manager.findBy(ProfileEntity, { id: In([...ids]) });
  }

  /** Case-insensitive, served by the unique index on `lower(nickname)`. */
  findByNickname(nickname: string): Promise<ProfileEntity | null> {
    return this.tx.manager
      .createQueryBuilder(ProfileEntity, 'p')
      .where('lower(p.nickname) = lower(:nickname)', { nickname })
      .getOne();
  }

  /**
   * Serialises, until the transaction ends, every writer of one nickname (reservation and
   * profile creation), closing the gap between "check profiles" and "insert reservation"
   * that the two separate unique indexes leave open.
   */
  async lockNickname(nickname: string): Promise<void> {
    await this.tx.manager.query('SELECT pg_advisory_xact_lock(hashtext(lower($1)))', [nickname]);
  }

  /** Creates the profile unless one with this id (or nickname) exists; true when inserted. */
  async insertIfAbsent(profile: {
    id: string;
    nickname: string;
    email: string | null;
  }): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `INSERT INTO profiles (id, nickname, email) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING id`,
      [profile.id, profile.nickname, profile.email],
    );
    return rows.length > 0;
  }

  /**
   * Applies `changes` to the profile `id`. Returns false when the unique index on
   * `lower(nickname)` refuses the new nickname (a concurrent writer won it).
   */
  async update(id: string, changes: ProfileChanges): Promise<boolean> {
    if (Object.keys(changes).length === 0) return true;
    try {
      await this.tx.manager.update(ProfileEntity, { id }, changes);
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Whether a registration other than `userId`'s holds `nickname` (any letter case). */
  async isReservedByOther(nickname: string, userId: string): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `SELECT 1 FROM nickname_reservations WHERE lower(nickname) = lower($1) AND user_id <> $2`,
      [nickname, userId],
    );
    return rows.length > 0;
  }

  /**
   * Profiles whose nickname or display name starts with `text` or resembles it (trigram
   * similarity), best first: prefix matches rank above fuzzy ones. Every condition is one
   * the trigram GIN indexes answer, so the table is never scanned in full. Keyset pages on
   * (rank desc, id asc); `text` is lower-cased already.
   */
  async search(
    text: string,
    limit: number,
    after?: { rank: number; id: string },
  ): Promise<RankedProfile[]> {
    const rows: Array<ProfileRow & { rank: number }> = await this.tx.manager.query(
      `SELECT * FROM (
         SELECT ${profileColumns('p')},
           (CASE WHEN lower(p.nickname) LIKE $2 OR lower(p.display_name) LIKE $2
                 THEN 1 ELSE 0 END)::float8
           + GREATEST(similarity(lower(p.nickname), $1),
                      coalesce(similarity(lower(p.display_name), $1), 0))::float8 AS rank
         FROM profiles p
         WHERE lower(p.nickname) LIKE $2 OR lower(p.display_name) LIKE $2
            OR lower(p.nickname) % $1 OR lower(p.display_name) % $1
       ) hit
       WHERE $3::float8 IS NULL OR hit.rank < $3 OR (hit.rank = $3 AND hit.id > $4::uuid)
       ORDER BY hit.rank DESC, hit.id ASC
       LIMIT $5`,
      [text, likePrefix(text), after?.rank ?? null, after?.id ?? null, limit],
    );
    return rows.map((row) => ({ profile: profileFromRow(row), rank: Number(row.rank) }));
  }

  async deleteById(id: string): Promise<void> {
    await this.tx.manager.delete(ProfileEntity, { id });
  }

  findReservation(userId: string): Promise<NicknameReservationEntity | null> {
    return this.tx.manager.findOneBy(NicknameReservationEntity, { userId });
  }

  /**
   * Holds `nickname` for `userId` (a user holds at most one reservation; a new one
   * replaces it). Returns false when another user's reservation has the nickname,
   * as reported by the unique index, so concurrent callers cannot both win.
   */
  async upsertReservation(userId: string, nickname: string): Promise<boolean> {
    try {
      await this.tx.manager.query(
        `INSERT INTO nickname_reservations (user_id, nickname) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET nickname = EXCLUDED.nickname, created_at = now()`,
        [userId, nickname],
      );
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async deleteReservation(userId: string): Promise<void> {
    await this.tx.manager.delete(NicknameReservationEntity, { userId });
  }
}
