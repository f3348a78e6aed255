import { invalidInput } from './profiles.errors';

/** 3–32 letters, digits or underscores: safe in URLs and mentions, unambiguous to read. */
export const NICKNAME_PATTERN = /^[A-Za-z0-9_]{3,32}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Largest batch of GetProfiles, as documented in the proto. */
export const MAX_PROFILE_IDS = 500;

export const isUuid = (value: unknown): value is string =>
  typeof value === 'string' && UUID_PATTERN.test(value);

export const isNickname = (value: unknown): value is string =>
  typeof value === 'string' && NICKNAME_PATTERN.test(value);

/** Throws INVALID_ARGUMENT unless `value` is a UUID; returns it lower-cased. */
export function assertUuid(field: string, value: unknown): string {
  if (!isUuid(value)) throw invalidInput(field, 'must be a UUID');
  return value.toLowerCase();
}

/** Throws INVALID_ARGUMENT unless `value` is a well-formed nickname. */
export function assertNickname(field: string, value: unknown): string {
  if (!isNickname(value)) {
    throw invalidInput(field, 'must be 3–32 characters of letters, digits and underscores');
  }
  return value;
}
