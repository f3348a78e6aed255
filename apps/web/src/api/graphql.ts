import {
  createProfileClient,
  type ExecuteArgs,
  type ProfileFieldsFragment,
  type TypedDocumentString,
} from '@app/profile-client';
import { ApiError } from './errors';

/**
 * profile's GraphQL API behind the public origin (`/graphql`), through the typed operations
 * of `@app/profile-client`: each document is generated from a `.graphql` file checked
 * against apps/profile/schema.gql, with the types of its variables and result, so a
 * renamed field fails the build rather than the browser.
 */
export {
  MeDocument,
  SearchUsersDocument,
  UpdateProfileDocument,
  usersByIdDocument,
  usersByIdVariables,
} from '@app/profile-client';

/** A generated operation document with the types of its result and variables. */
export type Operation<TData, TVariables> = TypedDocumentString<TData, TVariables>;

/** The profile fields the client shows. */
export type Profile = ProfileFieldsFragment;

/**
 * Most profiles one `usersByIdDocument` asks for (profile allows 50 aliases per operation;
 * the rest is headroom).
 */
export const USERS_PER_QUERY = 40;

/**
 * Runs an operation with `send` (the session's authorised fetch, which adds the Bearer
 * token and retries a 401 once); resolves its data, or rejects with an ApiError carrying
 * the domain code (`extensions.errorCode`, else the GraphQL `code`, else the edge's `code`).
 */
export async function execute<TData, TVariables>(
  send: (request: Request) => Promise<Response>,
  op: Operation<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  const client = createProfileClient(window.location.origin, {
    fetch: (input, init) => send(new Request(input, init)),
  });
  // The variables' type comes from the document, so they are what it needs.
  const args = [{ variables }] as unknown as ExecuteArgs<TVariables>;
  const { status, data, errors, failure } = await client.execute(op, ...args);
  const error = errors?.[0];
  if (error) {
    const code = error.extensions?.errorCode ?? error.extensions?.code ?? 'GRAPHQL.ERROR';
    throw new ApiError(code, error.message, status);
  }
  if (status >= 400 || !data) {
    throw new ApiError(
      failure?.code ?? `HTTP.${status}`,
      failure?.message ?? 'GraphQL failed',
      status,
    );
  }
  return data;
}
