import type { TypedDocumentString } from './generated/operations';

/** One entry of a GraphQL answer's `errors`, with profile's stable codes in `extensions`. */
export interface GraphQLErrorItem {
  message: string;
  path?: ReadonlyArray<string | number>;
  /**
   * `code` is the GraphQL category (`UNAUTHENTICATED`, `BAD_USER_INPUT`…), `errorCode` the
   * domain code (`PROFILE.NICKNAME_TAKEN`).
   */
  extensions?: { code?: string; errorCode?: string; [key: string]: unknown };
}

/** What one operation answered. */
export interface GraphQLResult<TResult> {
  /** The HTTP status. */
  status: number;
  data?: TResult | null;
  errors?: GraphQLErrorItem[];
  /**
   * A body that is no GraphQL answer: the `{statusCode, code, message}` a gateway or the
   * service's HTTP edge sends (an edge 401, a 429, a 413), or `{}` for no JSON at all.
   */
  failure?: { code?: string; message?: string };
}

export interface ProfileClientOptions {
  /** The caller's access token, or a function giving the current one (tokens rotate). */
  token?: string | (() => string | Promise<string>);
  /** A `fetch` to use instead of the global one (a session that retries a 401, tests). */
  fetch?: typeof fetch;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

interface CallOptions {
  /** This call's access token, instead of the client's. */
  token?: string;
  /** Headers for this call only. */
  headers?: Record<string, string>;
}

/**
 * The second argument of {@link ProfileClient.execute}: optional when the operation has no
 * required variables (`Me`), required with `variables` otherwise (`User` needs an id).
 */
export type ExecuteArgs<TVariables> =
  Record<string, never> extends TVariables
    ? [options?: CallOptions & { variables?: TVariables }]
    : [options: CallOptions & { variables: TVariables }];

export interface ProfileClient {
  /**
   * POSTs one generated operation to `/graphql` and resolves what came back, errors
   * included; it rejects only when no answer arrived (network) — so callers and tests see
   * `errors[].extensions` as the service sent them.
   */
  execute<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...args: ExecuteArgs<TVariables>
  ): Promise<GraphQLResult<TResult>>;
}

/** A client of profile's GraphQL API at `baseUrl` (e.g. `http://127.0.0.1:3002`, or the gateway). */
export function createProfileClient(
  baseUrl: string,
  options: ProfileClientOptions = {},
): ProfileClient {
  const endpoint = `${baseUrl.replace(/\/+$/, '')}/graphql`;
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  return {
    async execute<TResult, TVariables>(
      document: TypedDocumentString<TResult, TVariables>,
      ...[call]: ExecuteArgs<TVariables>
    ): Promise<GraphQLResult<TResult>> {
      const token = call?.token ?? (await currentToken(options.token));
      const response = await send(endpoint, {
        method: 'POST',
        headers: {
          ...options.headers,
          ...call?.headers,
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query: document.toString(), variables: call?.variables ?? {} }),
      });
      return readResult<TResult>(response);
    },
  };
}

async function currentToken(token: ProfileClientOptions['token']): Promise<string | undefined> {
  return typeof token === 'function' ? token() : token;
}

async function readResult<TResult>(response: Response): Promise<GraphQLResult<TResult>> {
  const body: unknown = await response.json().catch(() => null);
  if (isRecord(body) && ('data' in body || 'errors' in body)) {
    return {
      status: response.status,
      ...(body.data !== undefined ? { data: body.data as TResult | null } : {}),
      ...(Array.isArray(body.errors) ? { errors: body.errors as GraphQLErrorItem[] } : {}),
    };
  }
  const failure = isRecord(body)
    ? {
        ...(typeof body.code === 'string' ? { code: body.code } : {}),
        ...(typeof body.message === 'string' ? { message: body.message } : {}),
      }
    : {};
  return { status: response.status, failure };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
