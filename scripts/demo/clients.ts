// The public APIs as the demo calls them: auth's HTTP/JSON gateway, profile's GraphQL,
// friends through its typed client, messenger over socket.io with the contract's types.
import type { SocketApi } from '@app/contracts';
import { io, type Socket } from 'socket.io-client';

/** How long any one call may take before the demo gives up on it. */
const CALL_TIMEOUT_MS = 10_000;

/** A refusal with the stable code the API answered (`AUTH.INVALID_CREDENTIALS`, …). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface Session {
  userId: string;
  accessToken: string;
}

export interface Account {
  email: string;
  password: string;
  nickname: string;
}

/** Waits at most this long for a rate limit's `Retry-After` before giving up. */
const MAX_RETRY_AFTER_MS = 10_000;

async function postJson<T>(url: string, body: unknown, token?: string): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    // Over a request limit: wait as long as the service asks, a few times.
    const retryAfterMs = Number(response.headers.get('retry-after') ?? 1) * 1000;
    if (response.status === 429 && attempt < 4 && retryAfterMs <= MAX_RETRY_AFTER_MS) {
      await sleep(retryAfterMs);
      continue;
    }
    const answer = (await response.json()) as T & { code?: string; message?: string };
    if (!response.ok) {
      throw new ApiError(answer.code ?? `HTTP_${response.status}`, answer.message ?? '');
    }
    return answer;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Logs in, or registers the account when there is none. Logging in first means a second run
 * spends nothing of auth's registration limit (attempts per address, counted even when the
 * email is taken); the only failed login is each account's very first one.
 */
export async function signIn(authUrl: string, account: Account): Promise<Session> {
  try {
    return await postJson<Session>(`${authUrl}/v1/auth/login`, {
      email: account.email,
      password: account.password,
    });
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'AUTH.INVALID_CREDENTIALS') throw error;
  }
  try {
    return await postJson<Session>(`${authUrl}/v1/auth/register`, account);
  } catch (error) {
    if (error instanceof ApiError && /_TAKEN$/.test(error.code)) {
      throw new ApiError(
        error.code,
        `${account.email} / ${account.nickname} belongs to an account with another password ` +
          '(set DEMO_PASSWORD to its password, or delete that account)',
      );
    }
    throw error;
  }
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; errorCode?: string } }>;
}

/** One GraphQL operation against profile; errors become an {@link ApiError}. */
export async function graphql<T>(
  profileUrl: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const answer = await postJson<GraphQLAnswer<T>>(
    `${profileUrl}/graphql`,
    { query, variables },
    token,
  );
  const [error] = answer.errors ?? [];
  if (error || !answer.data) {
    const code = error?.extensions?.errorCode ?? error?.extensions?.code ?? 'GRAPHQL';
    throw new ApiError(code, error?.message ?? 'no data');
  }
  return answer.data;
}

export type MessengerSocket = Socket<
  SocketApi.ServerToClientEvents,
  SocketApi.ClientToServerEvents
>;

/** A socket.io connection to messenger as `token`'s user, once the handshake is accepted. */
export function connectMessenger(messengerUrl: string, token: string): Promise<MessengerSocket> {
  const socket: MessengerSocket = io(messengerUrl, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    timeout: CALL_TIMEOUT_MS,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(new ApiError('MESSENGER.CONNECT_FAILED', error.message));
    });
  });
}

/** A client event and its acknowledgement; a refusal becomes an {@link ApiError}. */
export async function call<E extends SocketApi.ClientEventName>(
  socket: MessengerSocket,
  event: E,
  payload: SocketApi.ClientPayload<E>,
): Promise<SocketApi.AckBody<E>> {
  // socket.io's typed emitWithAck cannot relate a generic event to its own payload type.
  const emitter = socket.timeout(CALL_TIMEOUT_MS) as unknown as {
    emitWithAck(event: string, payload: unknown): Promise<SocketApi.Ack<E>>;
  };
  const answer = await emitter.emitWithAck(event, payload);
  if (!answer.ok) throw new ApiError(answer.error.code, answer.error.message);
  return answer;
}

/**
 * Runs `attempt` until it succeeds, retrying only refusals whose code is in `retryOn`:
 * each service learns of a new user from auth's event on Kafka, a moment after the
 * registration answered, and until then says it does not know them.
 */
export async function eventually<T>(
  attempt: () => Promise<T>,
  retryOn: readonly string[],
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  // Soon at first (events usually take well under a second), then less often, so a slow
  // consumer does not turn into a burst against the request limits.
  for (let delayMs = 200; ; delayMs = Math.min(delayMs * 1.5, 2_000)) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = error instanceof ApiError && retryOn.includes(error.code);
      if (!retryable || Date.now() > deadline) throw error;
      await sleep(delayMs);
    }
  }
}
