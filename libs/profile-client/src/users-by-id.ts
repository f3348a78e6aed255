import {
  ProfileFieldsFragmentDoc,
  type ProfileFieldsFragment,
  TypedDocumentString,
} from './generated/operations';

/** Aliased fields profile allows in one operation (its query limits, ADR 0018). */
export const MAX_ALIASES_PER_OPERATION = 50;

/** The answer of {@link usersByIdDocument}: `u0`, `u1`… each a profile or null. */
export type UsersByIdQuery = Record<string, ProfileFieldsFragment | null>;
/** Its variables: `id0`, `id1`… */
export type UsersByIdQueryVariables = Record<string, string>;

/**
 * Profiles of `count` users in one request: `user(id:)` once per id under the aliases
 * `u0`, `u1`… with the variables `id0`, `id1`…, selecting the generated `ProfileFields`
 * fragment. The schema has no list-of-ids field, and one request per id would spend the
 * gateway's rate limit; the number of ids varies, so this one document is built at run
 * time from the generated fragment (a unit spec validates it against schema.gql).
 * Use {@link usersByIdVariables} for its variables.
 */
export function usersByIdDocument(
  count: number,
): TypedDocumentString<UsersByIdQuery, UsersByIdQueryVariables> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_ALIASES_PER_OPERATION) {
    throw new RangeError(`count must be 1–${MAX_ALIASES_PER_OPERATION}, not ${count}`);
  }
  const indexes = Array.from({ length: count }, (_, i) => i);
  const variables = indexes.map((i) => `$id${i}: ID!`).join(', ');
  const fields = indexes.map((i) => `  u${i}: user(id: $id${i}) { ...ProfileFields }`);
  return new TypedDocumentString(
    `query UsersById(${variables}) {\n${fields.join('\n')}\n}\n${ProfileFieldsFragmentDoc.toString()}`,
  );
}

/** The variables of {@link usersByIdDocument}`(ids.length)`. */
export function usersByIdVariables(ids: readonly string[]): UsersByIdQueryVariables {
  return Object.fromEntries(ids.map((id, i) => [`id${i}`, id]));
}
