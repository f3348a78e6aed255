import { ErrorCodes } from '@app/contracts';
import { MeDocument, ProfileUpdatedDocument, UpdateProfileDocument } from '@app/profile-client';
import { type Client, createClient, type ExecutionResult, type Sink } from 'graphql-ws';
import WebSocket from 'ws';
import { mintAccessToken } from '../../../test/e2e/support/access-tokens';
import {
  type AuthGrpcClient,
  authClient,
  eventually,
  profileClient,
  registerUser,
  type TestUser,
} from '../../../test/e2e/support/clients';
import { stack } from '../../../test/e2e/support/stack';

const URL = stack.profile.http.replace(/^http/, 'ws') + '/graphql';
/** What a client subscribes with: the typed operation of @app/profile-client. */
const PROFILE_UPDATED = ProfileUpdatedDocument.toString();
/** The same on one line, written by hand: the error specs check positions and bad input. */
const WATCH = 'subscription ($id: ID!) { profileUpdated(userId: $id) { id bio } }';

type Result = ExecutionResult<{ profileUpdated: { id: string; bio: string | null } }>;

/** What one subscription saw: its results, the first of them, and how it ended. */
interface Watch {
  results: Result[];
  first: Promise<Result>;
  ended: Promise<{ error?: unknown }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The sockets a profile subscriber lives on: authenticated once at `connection_init`,
 * closed with 4403 when the token expires, and every error formatted like over HTTP
 * (`extensions.code`, the domain code, nothing internal). Short-lived tokens are signed
 * like auth's with auth's own key (see `mintAccessToken`).
 */
describe('profile subscriptions over graphql-ws (real WebSocket)', () => {
  let auth: AuthGrpcClient;
  let eve: TestUser;
  const clients: Client[] = [];

  /** A graphql-ws client as a front end would create it, plus when it connected / closed. */
  const connect = (token: string) => {
    const client = createClient({
      url: URL,
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(client);
    let connectedAt: number | undefined;
    client.on('connected', () => (connectedAt = Date.now()));
    const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
      client.on('closed', (event) => {
        const { code, reason } = event as { code: number; reason: string };
        resolve({ code, reason, at: Date.now() });
      }),
    );
    return { client, closed, connectedAt: () => connectedAt };
  };

  /** Starts an operation and records what the server sends for it. */
  const watch = (client: Client, query: string, variables: Record<string, unknown>): Watch => {
    const results: Result[] = [];
    let firstResult!: (result: Result) => void;
    const first = new Promise<Result>((resolve) => (firstResult = resolve));
    let end!: (how: { error?: unknown }) => void;
    const ended = new Promise<{ error?: unknown }>((resolve) => (end = resolve));
    const sink: Sink<Result> = {
      next: (result) => {
        results.push(result);
        firstResult(result);
      },
      error: (error) => end({ error }),
      complete: () => end({}),
    };
    client.subscribe({ query, variables }, sink);
    return { results, first, ended };
  };

  beforeAll(async () => {
    auth = authClient();
    eve = await registerUser(auth, 'eve');
    // Updates need the profile, which appears once auth's event is consumed.
    await eventually(async () => {
      const me = await profileClient().execute(MeDocument, { token: eve.accessToken });
      return me.data?.me.id;
    });
  });
  afterAll(() => {
    clients.forEach((client) => void client.dispose());
    auth?.close();
  });

  describe('token expiry', () => {
    it('delivers updates while the token is valid and closes the socket (4403) when it expires', async () => {
      const short = await mintAccessToken(eve, 2);
      const { client, closed, connectedAt } = connect(short.token);
      const live = watch(client, PROFILE_UPDATED, { userId: eve.userId });

      // Still served just before expiry: an update reaches the subscriber.
      await eventually(async () => (connectedAt() ? true : undefined));
      await sleep(300); // the Redis subscription is made right after the ack
      await profileClient().execute(UpdateProfileDocument, {
        token: eve.accessToken,
        variables: { input: { bio: 'short-lived' } },
      });
      await expect(live.first).resolves.toEqual({
        data: {
          profileUpdated: expect.objectContaining({
            id: eve.userId,
            bio: 'short-lived',
          }) as unknown,
        },
      });
      expect(Date.now()).toBeLessThan(short.expiresAtMs);

      const { code, reason, at } = await closed;
      expect({ code, reason }).toEqual({ code: 4403, reason: 'Access token expired' });
      // Not before the token's `exp`, and promptly after it (slack for timers and the wire).
      expect(at).toBeGreaterThanOrEqual(short.expiresAtMs - 50);
      expect(at).toBeLessThan(short.expiresAtMs + 1_500);
      // The subscriber learns its stream is over, with the close as the reason.
      await expect(live.ended).resolves.toMatchObject({ error: { code: 4403 } });
    });

    it('refuses a connection whose token has already expired (4403, never acknowledged)', async () => {
      const expired = await mintAccessToken(eve, -60);
      const { client, closed, connectedAt } = connect(expired.token);
      const refused = watch(client, PROFILE_UPDATED, { userId: eve.userId });

      await expect(closed).resolves.toMatchObject({ code: 4403, reason: 'Forbidden' });
      expect(connectedAt()).toBeUndefined();
      await expect(refused.ended).resolves.toMatchObject({ error: { code: 4403 } });
      expect(refused.results).toEqual([]);
    });
  });

  describe('errors', () => {
    const open = () => connect(eve.accessToken).client;

    it('reports a bad argument as BAD_USER_INPUT with its domain code, nothing internal', async () => {
      const bad = watch(open(), WATCH, { id: 'not-a-uuid' });
      await expect(bad.ended).resolves.toEqual({});
      expect(bad.results).toEqual([
        {
          errors: [
            {
              message: 'userId: must be a UUID',
              locations: [{ line: 1, column: WATCH.indexOf('profileUpdated') + 1 }],
              path: ['profileUpdated'],
              extensions: {
                code: 'BAD_USER_INPUT',
                errorCode: ErrorCodes.VALIDATION_FAILED,
                details: [{ field: 'userId', message: 'must be a UUID' }],
              },
            },
          ],
        },
      ]);
    });

    it('reports an invalid operation as GRAPHQL_VALIDATION_FAILED', async () => {
      const invalid = watch(open(), 'subscription { profileUpdated(userId: "x") { nope } }', {});
      const { error } = await invalid.ended;
      expect(error).toEqual([
        expect.objectContaining({
          message: expect.stringContaining('Cannot query field "nope"') as unknown,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      ]);
    });

    it('reports a variable of the wrong type as BAD_USER_INPUT', async () => {
      const wrong = watch(open(), WATCH, { id: { not: 'an id' } });
      await expect(wrong.ended).resolves.toEqual({});
      expect(wrong.results).toEqual([
        {
          errors: [
            expect.objectContaining({
              message: expect.stringMatching(/^Variable "\$id" got invalid value/) as unknown,
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          ],
        },
      ]);
    });

    it('reports a broken query limit with its code, limit and actual value', async () => {
      const deep = `subscription { profileUpdated(userId: "${eve.userId}") { ${'friends { edges { node { '.repeat(4)}id${' } } }'.repeat(4)} } }`;
      const { error } = await watch(open(), deep, {}).ended;
      expect(error).toEqual([
        expect.objectContaining({
          extensions: { code: 'QUERY_TOO_DEEP', limit: 10, actual: expect.any(Number) as unknown },
        }),
      ]);
    });
  });
});
