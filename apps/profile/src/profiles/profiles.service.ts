import { Injectable, Logger } from '@nestjs/common';
import { Topics } from '@app/contracts';
import { EventPublisher, OutboxErasure, type PersonalFields } from '@app/kafka';
import {
  assertUuid,
  CursorPart,
  decodeCursor,
  encodeCursor,
  TransactionHost,
  validationFailed,
} from '@app/platform';
import { z } from 'zod';
import { FriendshipsService } from '../friendships/friendships.service';
import { ProfileUpdates } from '../live/profile-updates';
import { type Page, pageSize, toPage } from '../pagination/page';
import { ProfileEntity } from './entities/profile.entity';
import { nicknameTaken, profileNotFound } from './profiles.errors';
import { ProfilesRepository } from './profiles.repository';
import {
  assertNickname,
  isNickname,
  MAX_PROFILE_IDS,
  profileChanges,
  type ProfileChangesInput,
  searchText,
} from './profiles.rules';

/**
 * A search cursor: `[rank, id]` of the last hit, the rank written as `String(rank)` (a
 * finite number, which PostgreSQL's float8 holds) and the id a UUID.
 */
const SEARCH_CURSOR = z.tuple([
  z
    .string()
    .regex(/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i)
    .transform(Number)
    .pipe(z.number()),
  CursorPart.uuid,
]);

/** The keyset position a search cursor holds; BAD_USER_INPUT on `after` for a forged one. */
function searchPosition(cursor: string): { rank: number; id: string } {
  const [rank, id] = decodeCursor(cursor, SEARCH_CURSOR, 'after');
  return { rank, id };
}

/** What profile's events say of a user beyond ids: erased from its outbox with the user. */
export const PROFILE_PERSONAL_FIELDS: PersonalFields = {
  [Topics.ProfileUpdated]: ['nickname', 'displayName', 'avatarUrl'],
};

/** The rules of profiles and of the unique, case-insensitive nicknames they carry. */
@Injectable()
export class ProfilesService {
  private readonly logger = new Logger(ProfilesService.name);

  constructor(
    private readonly profiles: ProfilesRepository,
    private readonly tx: TransactionHost,
    private readonly events: EventPublisher,
    private readonly outbox: OutboxErasure,
    private readonly friendships: FriendshipsService,
    private readonly live: ProfileUpdates,
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
      throw validationFailed([
        { field: 'ids', message: `at most ${MAX_PROFILE_IDS} ids per call` },
      ]);
    }
    const unique = [...new Set(ids.map((id, i) => assertUuid(`ids[${i}]`, id)))];
    return this.profiles.findByIds(unique);
  }

  /**
   * Changes the caller's own profile: the only way a profile changes, and it takes no
   * profile id, so nobody can edit another user. A new nickname must be free in any letter
   * case among profiles and registrations in progress. The change and its
   * `profile.profile.updated.v1` event commit together; live subscribers hear of it after.
   */
  async updateProfile(userId: string, input: ProfileChangesInput): Promise<ProfileEntity> {
    const changes = profileChanges(input);
    const updated = await this.tx.run(async () => {
      const current = await this.profiles.findById(userId);
      if (!current) throw profileNotFound();
      const { nickname } = changes;
      if (nickname !== undefined && nickname !== current.nickname) {
        // Same lock as reservations and registrations: the checks below cannot interleave.
        await this.profiles.lockNickname(nickname);
        const holder = await this.profiles.findByNickname(nickname);
        if (holder && holder.id !== userId) throw nicknameTaken(nickname);
        if (await this.profiles.isReservedByOther(nickname, userId)) throw nicknameTaken(nickname);
      }
      if (!(await this.profiles.update(userId, changes))) throw nicknameTaken(nickname ?? '');
      const profile = (await this.profiles.findById(userId))!;
      await this.events.publish(
        Topics.ProfileUpdated,
        {
          userId,
          nickname: profile.nickname,
          displayName: profile.displayName,
          avatarUrl: profile.avatarUrl,
        },
        { key: userId },
      );
      return profile;
    });
    await this.live.publish(updated);
    return updated;
  }

  /**
   * Profiles matching `query` by nickname or display name, by prefix or by similarity
   * (typos), best match first.
   */
  async search(
    query: string,
    first?: number | null,
    after?: string | null,
  ): Promise<Page<ProfileEntity>> {
    const text = searchText(query);
    const limit = pageSize(first);
    const hits = await this.profiles.search(
      text,
      limit + 1,
      after ? searchPosition(after) : undefined,
    );
    const page = toPage(hits, limit, (hit) => encodeCursor([String(hit.rank), hit.profile.id]));
    return {
      hasNextPage: page.hasNextPage,
      items: page.items.map(({ cursor, node }) => ({ cursor, node: node.profile })),
    };
  }

  /** Live updates of one profile, for the `profileUpdated` subscription. */
  watch(userId: string): AsyncIterableIterator<ProfileEntity> {
    return this.live.subscribe(assertUuid('userId', userId));
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
  async createFromRegistration(userId: string, nickname: string, email: string): Promise<void> {
    await this.profiles.lockNickname(nickname);
    const created = await this.profiles.insertIfAbsent({ id: userId, nickname, email });
    if (!created && !(await this.profiles.findById(userId))) {
      // Only possible if the saga was bypassed: someone else's profile has the nickname.
      this.logger.error({ userId }, 'Profile not created: nickname held by another profile');
    }
    await this.profiles.deleteReservation(userId);
  }

  /**
   * Erases everything profile holds about a deleted account, its profile's past versions in
   * the outbox included. Runs inside the caller's transaction (the consumer's, or
   * `EraseUser`'s).
   */
  async deleteAccount(userId: string): Promise<void> {
    await this.profiles.deleteById(userId);
    await this.profiles.deleteReservation(userId);
    await this.friendships.forgetUser(userId);
    await this.outbox.eraseUser(userId, PROFILE_PERSONAL_FIELDS);
  }
}
