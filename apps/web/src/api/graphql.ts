import { ApiError } from './errors';

/**
 * profile's GraphQL API behind the public origin (`/graphql`, apps/profile/schema.gql).
 * Each operation is a document with the types of its variables and result; a unit spec
 * (graphql.spec.ts) validates every document against schema.gql, so a renamed field
 * fails the build rather than the browser.
 */
export interface Operation<TData, TVariables> {
  readonly name: string;
  readonly document: string;
  /** Carries the types only; never set. */
  readonly types?: { data: TData; variables: TVariables };
}

const operation = <TData, TVariables = Record<string, never>>(
  name: string,
  document: string,
): Operation<TData, TVariables> => ({ name, document });

/** The profile fields the client shows. */
export interface Profile {
  id: string;
  nickname: string;
  displayName: string | null;
  bio: string | null;
  avatarUrl: string | null;
}

const PROFILE_FIELDS = 'id nickname displayName bio avatarUrl';

export const MeQuery = operation<{ me: Profile }>('Me', `query Me { me { ${PROFILE_FIELDS} } }`);

export const SearchUsersQuery = operation<
  { searchUsers: { edges: { node: Profile }[] } },
  { query: string; first: number }
>(
  'SearchUsers',
  `query SearchUsers($query: String!, $first: Int) {
    searchUsers(query: $query, first: $first) { edges { node { ${PROFILE_FIELDS} } } }
  }`,
);

/** Most profiles one {@link usersQuery} asks for (profile allows 50 aliases per operation). */
export const USERS_PER_QUERY = 40;

/**
 * Profiles by id in one request: `user(id:)` once per id under aliases `u0`, `u1`… (friends
 * and requests carry ids only, and one request per id would spend the edge rate limit).
 */
export function usersQuery(
  count: number,
): Operation<Record<string, Profile | null>, Record<string, string>> {
  const indexes = Array.from({ length: count }, (_, i) => i);
  return operation(
    'Users',
    `query Users(${indexes.map((i) => `$id${i}: ID!`).join(', ')}) {
      ${indexes.map((i) => `u${i}: user(id: $id${i}) { ${PROFILE_FIELDS} }`).join('\n')}
    }`,
  );
}

export interface ProfileChanges {
  displayName?: string | null;
  bio?: string | null;
  avatarUrl?: string | null;
}

export const UpdateProfileMutation = operation<
  { updateProfile: Profile },
  { input: ProfileChanges }
>(
  'UpdateProfile',
  `mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) { ${PROFILE_FIELDS} }
  }`,
);

/** Every operation, for the schema check. */
export const OPERATIONS = [MeQuery, SearchUsersQuery, usersQuery(3), UpdateProfileMutation];

interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string; errorCode?: string };
}

/** Runs an operation with `send` (the session's authorised fetch); errors become ApiErrors. */
export async function execute<TData, TVariables>(
  send: (request: Request) => Promise<Response>,
  op: Operation<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  const response = await send(
    new Request('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ operationName: op.name, query: op.document, variables }),
    }),
  );
  const body = (await response.json().catch(() => null)) as {
    data?: TData | null;
    errors?: GraphQLErrorBody[];
    code?: string;
    message?: string;
  } | null;
  const error = body?.errors?.[0];
  if (error) {
    const code = error.extensions?.errorCode ?? error.extensions?.code ?? 'GRAPHQL.ERROR';
    throw new ApiError(code, error.message, response.status);
  }
  if (!response.ok || !body?.data) {
    throw new ApiError(body?.code ?? `HTTP.${response.status}`, body?.message ?? 'GraphQL failed');
  }
  return body.data;
}
