import { stack } from '../../../../test/e2e/support/stack';

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{
    message: string;
    path?: string[];
    extensions?: { code?: string; errorCode?: string; [key: string]: unknown };
  }>;
}

/**
 * POSTs any body to profile's `/graphql` (the stack's profile, or the instance at `base`);
 * resolves status and JSON. For what no typed client would send — hostile input, limits,
 * batches: normal operations go through `profileClient()` and `@app/profile-client`.
 */
export async function postGraphQL<T>(
  body: unknown,
  token?: string,
  base: string = stack.profile.http,
): Promise<{ status: number; body: GraphQLResponse<T> }> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<T> };
}

/** One hand-written GraphQL operation over HTTP (hostile input); resolves the response body. */
export async function graphql<T>(
  query: string,
  options: { token?: string; variables?: Record<string, unknown> } = {},
): Promise<GraphQLResponse<T>> {
  return (await postGraphQL<T>({ query, variables: options.variables }, options.token)).body;
}
