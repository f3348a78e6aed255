/**
 * The typed client of friends' REST API, for other services, front ends and tests: routes,
 * parameters, bodies and answers are checked against friends' OpenAPI document at compile
 * time, so nobody hand-writes HTTP calls to friends.
 *
 * ```ts
 * const friends = createFriendsClient('http://127.0.0.1:3003', { token: accessToken });
 * const { data, error, response } = await friends.POST('/v1/friends/requests', {
 *   body: { userId },
 *   params: { header: { 'Idempotency-Key': randomUUID() } },
 * });
 * if (error) console.log(response.status, error.code); // e.g. 409 FRIENDS.ALREADY_PENDING
 * ```
 *
 * `schema.d.ts` and `../openapi.json` are generated (`apps/friends/scripts/openapi.mjs`);
 * never edit them by hand.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths } from './schema';

/** The client: `GET`, `POST`, `DELETE` … typed by path. */
export type FriendsClient = Client<paths>;

/** Bodies of friends' answers, by schema name. */
export type FriendsSchemas = components['schemas'];
export type FriendRequest = FriendsSchemas['FriendRequestDto'];
export type Friend = FriendsSchemas['FriendDto'];
export type BlockedUser = FriendsSchemas['BlockedUserDto'];
/** Every error answer: `{statusCode, code, message, details?}`. */
export type FriendsError = FriendsSchemas['ErrorBodyDto'];

export interface FriendsClientOptions {
  /** The caller's access token, or a function giving the current one (tokens rotate). */
  token?: string | (() => string | Promise<string>);
  /** A `fetch` to use instead of the global one (tests, instrumentation). */
  fetch?: typeof fetch;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/** A client of the friends API at `baseUrl` (e.g. `http://127.0.0.1:3003`). */
export function createFriendsClient(
  baseUrl: string,
  options: FriendsClientOptions = {},
): FriendsClient {
  const client = createClient<paths>({
    baseUrl,
    headers: options.headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { token } = options;
  if (token !== undefined) {
    const bearer: Middleware = {
      async onRequest({ request }) {
        const value = typeof token === 'function' ? await token() : token;
        request.headers.set('Authorization', `Bearer ${value}`);
        return request;
      },
    };
    client.use(bearer);
  }
  return client;
}
