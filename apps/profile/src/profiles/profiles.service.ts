import { Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { ProfileEntity } from './entities/profile.entity';
import { invalidInput, nicknameTaken, profileNotFound } from './profiles.errors';
import { ProfilesRepository } from './profiles.repository';
import { assertNickname, assertUuid, isNickname, MAX_PROFILE_IDS } from './profiles.rules';

/** The rules of profiles and of the unique, case-insensitive nicknames they carry. */
@Injectable()
export class ProfilesService {
  private readonly logger = new Logger(ProfilesService.name);

  constructor(
    private readonly profiles: ProfilesRepository,
    private readonly tx: TransactionHost,
  ) {}

  /** The caller's own profile; NOT_FOUND while registration's event is still on its way. */
  async getOwn(userId: string): Promise<ProfileEntity> {
    const profile = await this.profiles.findById(userId);
    if (!profile) throw profileNotFound();
    return profile;
  }

  /** A profile by id, or null when there is none. */
  getById(id: string): Promise<ProfileEntity | null> {
    return this.profiles.findById(assertUuid('id', id));
  }

  /** A profile by nickname, ignoring letter case, or null when there is none. */
  async getByNickname(nickname: string): Promise<ProfileEntity | null> {
    // A string that cannot be a nickname names nobody; no need to ask the database.
    if (!isNickname(nickname)) return null;
    return this.profiles.findByNickname(nickname);
  }

  /** The profiles that exist among `ids` (at most {@link MAX_PROFILE_IDS}). */
  getMany(ids: readonly string[]): Promise<ProfileEntity[]> {
    if (ids.length > MAX_PROFILE_IDS) {
      throw invalidInput('ids', `at most ${MAX_PROFILE_IDS} ids per call`);
    }
    const unique = [...new Set(ids.map((id, i) => assertUuid(`ids[${i}]`, id)))];
    return this.profiles.findByIds(unique);
  }

  /**
   * Holds `nickname` for the user being registered (saga step). Idempotent for the same
   * user and nickname, so auth may retry; ALREADY_EXISTS when another user's profile or
   * reservation has it in any letter case.
   */
  async reserveNickname(userIdInput: string, nicknameInput: string): Promise<void> {
    const userId = assertUuid('userId', userIdInput);
    const nickname = assertNickname('nickname', nicknameInput);
    await this.tx.run(async () => {
      await this.profiles.lockNickname(nickname);
      const holder = await this.profiles.findByNickname(nickname);
      if (holder && holder.id !== userId) throw nicknameTaken(nickname);
      if (holder) return; // already registered under this nickname: a late retry
      if (!(await this.profiles.upsertReservation(userId, nickname))) throw nicknameTaken(nickname);
    });
  }

  /** Frees the user's reservation (saga compensation); nothing to free is fine. */
  async releaseNickname(userIdInput: string): Promise<void> {
    await this.profiles.deleteReservation(assertUuid('userId', userIdInput));
  }

  /**
   * Turns a registration into a profile. Runs inside the consumer's transaction;
   * redelivery and replays do nothing the second time.
   */
  async createFromRegistration(userId: string, nickname: string): Promise<void> {
    await this.profiles.lockNickname(nickname);
    const created = await this.profiles.insertIfAbsent({ id: userId, nickname });
    if (!created && !(await this.profiles.findById(userId))) {
      // Only possible if the saga was bypassed: someone else's profile has the nickname.
      this.logger.error({ userId }, 'Profile not created: nickname held by another profile');
    }
    await this.profiles.deleteReservation(userId);
  }

  /** Erases everything profile holds about a deleted account. */
  async deleteAccount(userId: string): Promise<void> {
    await this.profiles.deleteById(userId);
    await this.profiles.deleteReservation(userId);
  }
}
