import { type FieldProblem, validationFailed } from '@app/platform';

/*
 * The format rules of a profile, shared by every way in (GraphQL, gRPC, Kafka events):
 * the service applies them, and a broken one is the platform's validation error.
 */

/** 3–32 letters, digits or underscores: safe in URLs and mentions, unambiguous to read. */
export const NICKNAME_PATTERN = /^[A-Za-z0-9_]{3,32}$/;
/** Largest batch of GetProfiles, as documented in the proto. */
export const MAX_PROFILE_IDS = 500;

export const isNickname = (value: unknown): value is string =>
  typeof value === 'string' && NICKNAME_PATTERN.test(value);

/** Throws INVALID_ARGUMENT unless `value` is a well-formed nickname. */
export function assertNickname(field: string, value: unknown): string {
  if (!isNickname(value)) {
    throw validationFailed([
      { field, message: 'must be 3–32 characters of letters, digits and underscores' },
    ]);
  }
  return value;
}

export const MAX_DISPLAY_NAME_LENGTH = 64;
export const MAX_BIO_LENGTH = 500;
export const MAX_AVATAR_URL_LENGTH = 2048;
/** Shortest and longest `searchUsers` query (shorter ones would match nearly everyone). */
export const SEARCH_QUERY_LENGTH = { min: 2, max: 64 } as const;

/**
 * Characters that change how text reads without being seen, so that one user's name can
 * pass for another's (`admin\u202Egnp.exe` shows as `adminexe.png`; `ad\u200Bmin` looks
 * like `admin`): control (Cc) and format (Cf) characters — bidi overrides and isolates,
 * zero-width spaces and joiners, byte-order marks —, every other default-ignorable code
 * point (Hangul fillers, variation selectors, tags), line and paragraph separators, lone
 * surrogates, and the blank braille pattern (U+2800) that renders as nothing.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;
/**
 * Emoji sequences are built from some of those: the woman technologist is U+1F469 U+200D
 * U+1F4BB (a zero-width joiner), the rainbow flag adds a variation selector, the flags of
 * Scotland or Wales tag characters. Whole RGI emoji are set aside before the check, so a
 * joiner or selector outside one is still refused. (The `v` flag is built at run time:
 * the compile target predates it.)
 */
const EMOJI = new RegExp(String.raw`\p{RGI_Emoji}`, 'gv');
/** Line breaks and tabs: a bio may lay itself out with them, a display name may not. */
const LAYOUT = /[\t\n]/g;
const HIDDEN_MESSAGE = 'must not contain control, format or invisible characters';

/** Whether `text` holds a character of {@link HIDDEN} outside an emoji sequence. */
const hasHiddenCharacters = (text: string): boolean => HIDDEN.test(text.replace(EMOJI, ''));

/** What a caller may change about their profile (absent = unchanged, null = cleared). */
export interface ProfileChangesInput {
  nickname?: string | null;
  displayName?: string | null;
  bio?: string | null;
  avatarUrl?: string | null;
}

/** {@link ProfileChangesInput} after the format rules: trimmed, blank optional text cleared. */
export interface ProfileChanges {
  nickname?: string;
  displayName?: string | null;
  bio?: string | null;
  avatarUrl?: string | null;
}

/**
 * Applies the format rules of a profile update and reports every broken one at once
 * (INVALID_ARGUMENT with one detail per field), so a form can mark all its fields.
 */
export function profileChanges(input: ProfileChangesInput): ProfileChanges {
  const problems: FieldProblem[] = [];
  const changes: ProfileChanges = {};

  if (input.nickname !== undefined) {
    if (isNickname(input.nickname)) changes.nickname = input.nickname;
    else
      problems.push({
        field: 'nickname',
        message: 'must be 3–32 characters of letters, digits and underscores',
      });
  }
  if (input.displayName !== undefined) {
    const name = input.displayName?.trim() || null;
    if (name && name.length > MAX_DISPLAY_NAME_LENGTH) {
      problems.push({
        field: 'displayName',
        message: `must be at most ${MAX_DISPLAY_NAME_LENGTH} characters`,
      });
    } else if (name && hasHiddenCharacters(name)) {
      problems.push({ field: 'displayName', message: HIDDEN_MESSAGE });
    } else changes.displayName = name;
  }
  if (input.bio !== undefined) {
    const bio = input.bio?.trim() || null;
    if (bio && bio.length > MAX_BIO_LENGTH) {
      problems.push({ field: 'bio', message: `must be at most ${MAX_BIO_LENGTH} characters` });
    } else if (bio && hasHiddenCharacters(bio.replace(LAYOUT, ' '))) {
      problems.push({ field: 'bio', message: HIDDEN_MESSAGE });
    } else changes.bio = bio;
  }
  if (input.avatarUrl !== undefined) {
    const url = input.avatarUrl?.trim() || null;
    if (url === null) changes.avatarUrl = null;
    else if (!isHttpsUrl(url)) {
      problems.push({
        field: 'avatarUrl',
        message: `must be an https URL without credentials, at most ${MAX_AVATAR_URL_LENGTH} characters`,
      });
    } else changes.avatarUrl = url;
  }

  if (problems.length > 0) throw validationFailed(problems);
  return changes;
}

/** An absolute https URL with a host and no user:password part (those leak into logs). */
function isHttpsUrl(value: string): boolean {
  if (value.length > MAX_AVATAR_URL_LENGTH) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '' && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** The search text lower-cased and trimmed; INVALID_ARGUMENT outside the length bounds. */
export function searchText(query: string): string {
  const text = query.trim().toLowerCase();
  if (text.length < SEARCH_QUERY_LENGTH.min || text.length > SEARCH_QUERY_LENGTH.max) {
    throw validationFailed([
      {
        field: 'query',
        message: `must be ${SEARCH_QUERY_LENGTH.min}–${SEARCH_QUERY_LENGTH.max} characters`,
      },
    ]);
  }
  return text;
}
