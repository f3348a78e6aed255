import {
  createFriendsClient,
  type BlockedUser,
  type Friend,
  type FriendRequest,
  type FriendsError,
} from '@app/friends-client';
import { ApiError } from './errors';

export type { Friend, FriendRequest, BlockedUser };

/** One page is all the client shows; friends allows 100 per page. */
const PAGE = { limit: 100 };

type Answer<T> = { data?: T; error?: FriendsError; response: Response };

function unwrap<T>({ data, error, response }: Answer<T>): T {
  if (error || data === undefined) {
    throw new ApiError(
      error?.code ?? `HTTP.${response.status}`,
      error?.message ?? response.statusText,
      response.status,
    );
  }
  return data;
}

/** friends' REST API behind the public origin, through the typed client of libs/friends-client. */
export function friendsApi(send: (request: Request) => Promise<Response>) {
  const client = createFriendsClient(window.location.origin, {
    fetch: (input, init) => send(new Request(input, init)),
  });
  // A retried POST with the same key is applied once (friends' Idempotency-Key).
  const once = () => ({ header: { 'Idempotency-Key': crypto.randomUUID() } });
  return {
    friends: async (): Promise<Friend[]> =>
      unwrap(await client.GET('/v1/friends', { params: { query: PAGE } })).items,
    requests: async (direction: 'incoming' | 'outgoing'): Promise<FriendRequest[]> =>
      unwrap(
        await client.GET('/v1/friends/requests', { params: { query: { ...PAGE, direction } } }),
      ).items,
    blocked: async (): Promise<BlockedUser[]> =>
      unwrap(await client.GET('/v1/blocks', { params: { query: PAGE } })).items,
    sendRequest: async (userId: string): Promise<FriendRequest> =>
      unwrap(await client.POST('/v1/friends/requests', { body: { userId }, params: once() })),
    accept: async (id: string): Promise<void> => {
      unwrap(
        await client.POST('/v1/friends/requests/{id}/accept', {
          params: { path: { id }, ...once() },
        }),
      );
    },
    decline: async (id: string): Promise<void> => {
      unwrap(
        await client.POST('/v1/friends/requests/{id}/decline', {
          params: { path: { id }, ...once() },
        }),
      );
    },
    /** Ends a friendship, or withdraws the request sent to `userId`. */
    unfriend: async (userId: string): Promise<void> => {
      const { error, response } = await client.DELETE('/v1/friends/{userId}', {
        params: { path: { userId } },
      });
      if (error) unwrap({ error, response });
    },
    block: async (userId: string): Promise<void> => {
      unwrap(await client.POST('/v1/blocks', { body: { userId }, params: once() }));
    },
    unblock: async (userId: string): Promise<void> => {
      const { error, response } = await client.DELETE('/v1/blocks/{userId}', {
        params: { path: { userId } },
      });
      if (error) unwrap({ error, response });
    },
  };
}

export type FriendsApi = ReturnType<typeof friendsApi>;
