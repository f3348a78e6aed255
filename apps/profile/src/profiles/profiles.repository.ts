import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { In, QueryFailedError } from 'typeorm';
import { NicknameReservationEntity } from './entities/nickname-reservation.entity';
import { ProfileEntity } from './entities/profile.entity';

const UNIQUE_VIOLATION = '23505';

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
  async insertIfAbsent(profile: { id: string; nickname: string }): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `INSERT INTO profiles (id, nickname) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id`,
      [profile.id, profile.nickname],
    );
    return rows.length > 0;
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
