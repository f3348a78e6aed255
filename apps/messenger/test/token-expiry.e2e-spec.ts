import { ErrorCodes } from '@app/contracts';
import { decodeJwt } from 'jose';
import type { MessengerClient } from '@app/messenger-client';
import type { Socket } from 'socket.io-client';
import {
  type AuthGrpcClient,
  authClient,
  registerUser,
  type TestUser,
} from '../../../test/e2e/support/clients';
import { mintAccessToken } from '../../../test/e2e/support/access-tokens';
import { collect, connectClient, MAIN_MESSENGER, refused } from './support/messenger-clients';

interface ExpiryNotice {
  code: string;
  message: string;
}

/** Resolves the reason and the moment a socket is disconnected. */
function closing(socket: Socket): Promise<{ reason: string; at: number }> {
  return new Promise((resolve) =>
    socket.once('disconnect', (reason) => resolve({ reason, at: Date.now() })),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A socket lives as long as its access token. The tokens here are signed like auth's with
 * auth's own key but expire within seconds (see `mintAccessToken`).
 */
describe('messenger: sockets and token expiry', () => {
  let auth: AuthGrpcClient;
  let alice: TestUser;
  const clients: MessengerClient[] = [];
  const open = async (token: string) => {
    const client = await connectClient(MAIN_MESSENGER, token);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    auth = authClient();
    alice = await registerUser(auth, 'expiry');
  });

  afterEach(() => clients.splice(0).forEach((c) => c.close()));

  afterAll(() => auth?.close());

  it('closes a socket when its token expires, telling the client why', async () => {
    const short = await mintAccessToken(alice, 2);
    const client = await open(short.token);
    const notices = collect<ExpiryNotice>(client, 'auth:expired');
    const closed = closing(client.socket);

    // Still usable just before expiry.
    await sleep(Math.max(0, short.expiresAtMs - Date.now() - 600));
    await expect(client.listChats()).resolves.toEqual({ chats: [] });

    const { reason, at } = await closed;
    expect(reason).toBe('io server disconnect'); // closed by the server, not a network drop
    expect(notices).toEqual([
      { code: ErrorCodes.UNAUTHENTICATED, message: 'UNAUTHENTICATED: access token expired' },
    ]);
    // Not before the token's `exp`, and promptly after it (slack for timers and the wire).
    expect(at).toBeGreaterThanOrEqual(short.expiresAtMs - 50);
    expect(at).toBeLessThan(short.expiresAtMs + 1_500);

    // The dead token opens nothing any more.
    const again = await refused(MAIN_MESSENGER, short.token);
    expect(again.message).toBe('UNAUTHENTICATED: invalid or expired token');
  });

  it('keeps a socket open past its first token’s expiry after auth:refresh with a fresh one', async () => {
    // A session of its own: the short token belongs to it, the fresh one is its refresh.
    const session = await auth.login({ email: alice.email, password: alice.password });
    const short = await mintAccessToken({ ...alice, accessToken: session.accessToken }, 2);
    const [refreshed, bystander] = [await open(short.token), await open(short.token)];
    const notices = collect<ExpiryNotice>(refreshed, 'auth:expired');
    const bystanderClosed = closing(bystander.socket);

    const fresh = await auth.refresh({ refreshToken: session.refreshToken });
    const renewed = await refreshed.refreshAuth({ token: fresh.accessToken });
    const freshExp = decodeJwt(fresh.accessToken).exp as number;
    expect(renewed).toEqual({ expiresAt: new Date(freshExp * 1000).toISOString() });

    // The socket that did not re-authenticate goes at the old expiry…
    await expect(bystanderClosed).resolves.toMatchObject({ reason: 'io server disconnect' });
    // …the refreshed one stays, well past it, and keeps working.
    await sleep(Math.max(0, short.expiresAtMs + 1_000 - Date.now()));
    expect(refreshed.connected).toBe(true);
    expect(notices).toEqual([]);
    await expect(refreshed.listChats()).resolves.toMatchObject({ chats: expect.any(Array) });
  });

  it('refuses a handshake with an expired token', async () => {
    const expired = await mintAccessToken(alice, -60);
    const error = await refused(MAIN_MESSENGER, expired.token);
    expect(error.message).toBe('UNAUTHENTICATED: invalid or expired token');
    expect(error.data?.code).toBe(ErrorCodes.UNAUTHENTICATED);
  });
});
