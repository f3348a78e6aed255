/**
 * The gateway (NGINX, infra/gateway/nginx.conf.template) in front of the live e2e stack:
 * every public route reaches its service, WebSockets upgrade through it (socket.io and
 * graphql-ws), and the edge does what ARCHITECTURE.md asks of it — rate limits with
 * Retry-After, security headers, request ids, no X-Powered-By, CORS for configured origins
 * only, JSON access logs, stub_status metrics, and bearer tokens authenticated before a
 * request reaches a service (which then receives X-User-Id).
 *
 * Without NGINX on the machine the global setup fails the run on CI and as root (where it
 * could have installed it); elsewhere these specs skip with the reason it recorded.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { MessengerClient } from '@app/messenger-client';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { eventually } from './support/clients';
import { E2E_ALLOWED_ORIGIN, gatewayStack, gatewayState } from './support/gateway';
import { E2E_INSTANCE, stack } from './support/stack';

const state = gatewayState();
const running = state.unavailable === undefined ? state : undefined;
if (state.unavailable !== undefined) console.warn(`gateway specs skipped: ${state.unavailable}`);
const describeGateway = running ? describe : describe.skip;

const GATEWAY = gatewayStack.http;
const LOG_DIR = join(__dirname, '..', '..', '.infra', 'e2e-logs', String(E2E_INSTANCE));

interface Tokens {
  accessToken: string;
  refreshToken: string;
  userId: string;
}

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/**
 * Registers a fresh user through the gateway's /v1/auth route, from `localAddress` (see
 * `requestFrom`).
 */
async function register(
  prefix: string,
  localAddress = '127.0.0.1',
): Promise<Tokens & { email: string; password: string }> {
  const suffix = randomUUID().slice(0, 8);
  const email = `${prefix}-${suffix}@example.test`;
  const password = `pw-${randomUUID()}`;
  const response = await postFrom(localAddress, '/v1/auth/register', {
    email,
    password,
    nickname: `${prefix}_${suffix}`,
  });
  expect(response.status).toBe(200);
  return { ...(JSON.parse(response.body) as Tokens), email, password };
}

/** A request line of a service's log (pino-http), as far as these specs read it. */
interface LoggedRequest {
  req?: { id?: string; headers?: Record<string, string> };
}

/** The lines of a service's e2e log (JSON, one per line) that parse. */
function serviceLog(service: 'friends' | 'profile'): LoggedRequest[] {
  return readFileSync(join(LOG_DIR, `${service}.log`), 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LoggedRequest];
      } catch {
        return [];
      }
    });
}

const loggedRequest = (service: 'friends' | 'profile', requestId: string) =>
  serviceLog(service).find((line) => line.req?.id === requestId);

/**
 * A request from another loopback address (Linux routes all of 127/8 to this host), so the
 * per-address limits it trips, or that the rest of the run has used up, are its own.
 */
function requestFrom(
  localAddress: string,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; headers?: http.OutgoingHttpHeaders } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${GATEWAY}${path}`,
      {
        method,
        localAddress,
        agent: false,
        headers: {
          ...options.headers,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
        );
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

const postFrom = (localAddress: string, path: string, body: unknown) =>
  requestFrom(localAddress, 'POST', path, { body });

describeGateway('the gateway', () => {
  let user: Tokens & { email: string; password: string };

  beforeAll(async () => {
    user = await register('gw');
  });

  describe('routes', () => {
    it('logs in through /v1/auth and reaches auth', async () => {
      const response = await fetch(`${GATEWAY}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      expect(response.status).toBe(200);
      expect(await json<Tokens>(response)).toMatchObject({ userId: user.userId });
    });

    it('serves the JWKS from auth, cached at the edge', async () => {
      const first = await fetch(`${GATEWAY}/.well-known/jwks.json`);
      expect(first.status).toBe(200);
      const { keys } = await json<{ keys: Array<{ kid: string }> }>(first);
      expect(keys.length).toBeGreaterThan(0);
      const again = await fetch(`${GATEWAY}/.well-known/jwks.json`);
      expect(again.headers.get('x-cache-status')).toBe('HIT');
      expect(again.headers.get('cache-control')).toBe('public, max-age=300');
    });

    it('answers GraphQL from profile', async () => {
      const me = await eventually(async () => {
        const response = await fetch(`${GATEWAY}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${user.accessToken}`,
          },
          body: JSON.stringify({ query: '{ me { id } }' }),
        });
        const body = await json<{ data?: { me?: { id: string } } }>(response);
        return body.data?.me ?? undefined;
      });
      expect(me.id).toBe(user.userId);
    });

    it("serves profile's GraphQL IDE to a browser, assets included", async () => {
      const page = await fetch(`${GATEWAY}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const assets = [
        ...(await page.text()).matchAll(/(?:src|href)="([^"]*\/graphql\/assets\/[^"]+)"/g),
      ];
      expect(assets.length).toBeGreaterThan(0);
      for (const [, asset] of assets) {
        const response = await fetch(new URL(asset, `${GATEWAY}/graphql`));
        expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
      }
    });

    it('answers REST from friends, /v1/friends and /v1/blocks', async () => {
      for (const path of ['/v1/friends', '/v1/blocks']) {
        const response = await fetch(`${GATEWAY}${path}`, {
          headers: { authorization: `Bearer ${user.accessToken}` },
        });
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
        expect(await json<{ items: unknown[] }>(response)).toMatchObject({ items: [] });
      }
    });

    it.each([
      ['auth', '/v1/auth/login'],
      ['friends', '/v1/friends'],
    ])(
      'serves the Swagger UI of %s under /docs/%s, assets and document included',
      async (service, apiPath) => {
        const page = await fetch(`${GATEWAY}/docs/${service}/`);
        expect(page.status).toBe(200);
        const html = await page.text();
        const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
        expect(assets.length).toBeGreaterThan(0);
        let document = '';
        for (const asset of assets) {
          const response = await fetch(new URL(asset, `${GATEWAY}/docs/${service}/`));
          expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
          if (asset.includes('init')) document = await response.text();
        }
        expect(document).toContain(apiPath);
        const json = await fetch(`${GATEWAY}/docs/${service}-json`);
        expect(json.status).toBe(200);
        expect(Object.keys((await json.json()) as { paths: object })).toContain('paths');
        const redirect = await fetch(`${GATEWAY}/docs/${service}`, { redirect: 'manual' });
        expect(redirect.status).toBe(301);
        expect(redirect.headers.get('location')).toMatch(new RegExp(`/docs/${service}/$`));
      },
    );

    it('serves the web client at / with an SPA fallback, and keeps internal routes private', async () => {
      const index = await fetch(`${GATEWAY}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toMatch(/^text\/html/);
      expect(index.headers.get('cache-control')).toBe('no-cache');
      expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      // Scripts from the origin only; images also from any https host, for avatars (ADR 0029).
      const csp = Object.fromEntries(
        (index.headers.get('content-security-policy') ?? '')
          .split(';')
          .map((directive) => directive.trim().split(/\s+/))
          .map(([name, ...sources]) => [name, sources]),
      );
      expect(csp['script-src']).toEqual(["'self'"]);
      expect(csp['img-src']).toEqual(["'self'", 'data:', 'blob:', 'https:']);
      const page = await index.text();
      const deepLink = await fetch(`${GATEWAY}/chats/some-chat`);
      expect(deepLink.status).toBe(200);
      expect(await deepLink.text()).toBe(page);
      // Hashed bundles of a built client are cached for good (the placeholder page has none).
      for (const asset of [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map(
        (m) => m[1],
      )) {
        const response = await fetch(`${GATEWAY}${asset}`);
        expect({
          asset,
          status: response.status,
          cache: response.headers.get('cache-control'),
        }).toEqual({
          asset,
          status: 200,
          cache: 'public, max-age=31536000, immutable',
        });
      }
      const missing = await fetch(`${GATEWAY}/assets/not-built-${randomUUID()}.js`);
      expect(missing.status).toBe(404);
      for (const path of ['/internal/v1/authenticate', '/v1/auth/validate', '/v1/nothing-here']) {
        const response = await fetch(`${GATEWAY}${path}`);
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
        expect(await json<ErrorBody>(response)).toMatchObject({ code: 'COMMON.NOT_FOUND' });
      }
      // And auth's edge-authentication route, called directly, wants the gateway's credential.
      const direct = await fetch(`${stack.auth.http}/internal/v1/authenticate`, {
        headers: { authorization: `Bearer ${user.accessToken}` },
      });
      expect(direct.status).toBe(401);
      expect(direct.headers.get('x-user-id')).toBeNull();
    });
  });

  describe('WebSockets', () => {
    let messenger: MessengerClient | undefined;
    let wsClient: WsClient | undefined;

    afterEach(async () => {
      messenger?.close();
      await wsClient?.dispose();
    });

    it.each([['websocket'], ['polling']])(
      'connects socket.io through /socket.io/ (%s) and gets acknowledgements',
      async (transport) => {
        // messenger's typed client, as the web client uses it behind the gateway.
        messenger = new MessengerClient({
          url: GATEWAY,
          path: '/socket.io/',
          token: user.accessToken,
          reconnection: false,
          socketOptions: {
            transports: [transport],
            // As a browser on the page the gateway serves: messenger checks the Origin.
            extraHeaders: { origin: new URL(GATEWAY).origin },
          },
        });
        await messenger.connect();
        await expect(messenger.listChats({ timeoutMs: 5_000 })).resolves.toMatchObject({
          chats: expect.any(Array),
        });
      },
    );

    it('runs GraphQL over graphql-ws through /graphql', async () => {
      wsClient = createClient({
        url: `${GATEWAY.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { Authorization: `Bearer ${user.accessToken}` },
        retryAttempts: 0,
      });
      const result = await new Promise<unknown>((resolve, reject) => {
        wsClient!.subscribe(
          { query: '{ me { id } }' },
          { next: resolve, error: reject, complete: () => {} },
        );
      });
      expect(result).toEqual({ data: { me: { id: user.userId } } });
    });
  });

  describe('edge authentication', () => {
    it('refuses an invalid bearer token with 401 before any service sees it', async () => {
      const refused = `edge-refused-${randomUUID()}`;
      const response = await fetch(`${GATEWAY}/v1/friends`, {
        headers: { authorization: 'Bearer not.a.token', 'x-request-id': refused },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await json<ErrorBody>(response)).toEqual({
        statusCode: 401,
        code: 'COMMON.UNAUTHENTICATED',
        message: expect.any(String),
      });

      // A request without a token goes through and friends refuses it itself (and logs
      // it, as it would have logged the first one had it arrived).
      const control = `edge-control-${randomUUID()}`;
      const passed = await fetch(`${GATEWAY}/v1/friends`, { headers: { 'x-request-id': control } });
      expect(passed.status).toBe(401);
      await eventually(async () => loggedRequest('friends', control));
      expect(loggedRequest('friends', refused)).toBeUndefined();
    });

    it('passes a valid token with the verified X-User-Id, whatever the client claims', async () => {
      const requestId = `edge-user-${randomUUID()}`;
      // A 400 of friends' validation: logged (with its headers) at the e2e log level.
      const response = await fetch(`${GATEWAY}/v1/friends/requests?direction=sideways`, {
        headers: {
          authorization: `Bearer ${user.accessToken}`,
          'x-request-id': requestId,
          'x-user-id': 'someone-else',
        },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-request-id')).toBe(requestId);
      const line = await eventually(async () => loggedRequest('friends', requestId));
      expect(line.req?.headers?.['x-user-id']).toBe(user.userId);
      expect(line.req?.headers?.['x-request-id']).toBe(requestId);
    });

    it('lets a refresh through with a stale access token attached', async () => {
      // Clients often still send the expired access token while they trade the refresh
      // token for new ones; the edge must not refuse the very call that fixes it.
      const response = await fetch(`${GATEWAY}/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.token' },
        body: JSON.stringify({ refreshToken: user.refreshToken }),
      });
      expect(response.status).toBe(200);
      const tokens = await json<Tokens>(response);
      expect(tokens.userId).toBe(user.userId);
      user = { ...user, ...tokens };
    });

    it("judges each token on its own, never on another token's cached answer", async () => {
      // One signature character changed (not the last, whose low bits are padding).
      const at = user.accessToken.length - 10;
      const forged = `${user.accessToken.slice(0, at)}${user.accessToken[at] === 'x' ? 'y' : 'x'}${user.accessToken.slice(at + 1)}`;
      for (const token of [user.accessToken, forged]) {
        const response = await fetch(`${GATEWAY}/v1/friends`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect({ forged: token === forged, status: response.status }).toEqual({
          forged: token === forged,
          status: token === forged ? 401 : 200,
        });
      }
    });
  });

  describe('at the edge', () => {
    it('sets security headers and a request id on every answer, once, and no X-Powered-By', async () => {
      // Its own address and token, as the edge limits of 127.0.0.1 are shared with every
      // spec that runs through the gateway meanwhile (the web client's browser among them).
      const from = `127.0.${E2E_INSTANCE}.42`;
      const own = await register('gw_headers', from);
      const answers = {
        // A service's answer (which carries helmet's headers of its own),
        proxied: await requestFrom(from, 'GET', '/v1/friends', {
          headers: { authorization: `Bearer ${own.accessToken}` },
        }),
        // a static file, and an answer the gateway makes itself.
        static: await requestFrom(from, 'GET', '/'),
        refused: await requestFrom(from, 'GET', '/v1/friends', {
          headers: { authorization: `Bearer not.a.token.${randomUUID().slice(0, 8)}` },
        }),
      };
      expect(Object.values(answers).map((r) => r.status)).toEqual([200, 200, 401]);
      for (const [kind, { headers }] of Object.entries(answers)) {
        // Node joins repeated headers with ", ": an exact value means exactly one.
        expect({
          kind,
          poweredBy: headers['x-powered-by'],
          nosniff: headers['x-content-type-options'],
          frame: headers['x-frame-options'],
          referrer: headers['referrer-policy'],
          requestId: headers['x-request-id'],
        }).toEqual({
          kind,
          poweredBy: undefined,
          nosniff: 'nosniff',
          frame: 'DENY',
          referrer: 'no-referrer',
          requestId: expect.stringMatching(/^[0-9a-f]{32}$/),
        });
      }
    });

    it('writes one JSON access-log line per request, with its request id', async () => {
      const requestId = `edge-log-${randomUUID()}`;
      // Its own address and token: the spec's requests so far have used up the edge limits
      // of 127.0.0.1 and of `user`'s token when the machine runs them fast.
      const from = `127.0.${E2E_INSTANCE}.41`;
      const own = await register('gw_log', from);
      const answer = await requestFrom(from, 'GET', '/v1/friends', {
        headers: { authorization: `Bearer ${own.accessToken}`, 'x-request-id': requestId },
      });
      expect(answer.status).toBe(200);
      const accessLog = running!.accessLog;
      const line = await eventually(async () =>
        readFileSync(accessLog, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.request_id === requestId),
      );
      expect(line).toMatchObject({
        method: 'GET',
        path: '/v1/friends',
        status: 200,
        user_id: own.userId,
      });
    });

    it('answers CORS preflights from a configured origin only', async () => {
      const preflight = (origin: string) =>
        fetch(`${GATEWAY}/v1/friends/requests`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type',
          },
        });
      const allowed = await preflight(E2E_ALLOWED_ORIGIN);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(E2E_ALLOWED_ORIGIN);
      expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);

      const foreign = await preflight('https://evil.example');
      expect(foreign.status).toBe(403);
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

      const simple = await fetch(`${GATEWAY}/.well-known/jwks.json`, {
        headers: { origin: 'https://evil.example' },
      });
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('exports stub_status through prometheus-nginx-exporter', async () => {
      const exporterUrl = running?.exporterUrl;
      if (!exporterUrl) {
        console.warn('no prometheus-nginx-exporter on this machine: metrics not checked');
        return;
      }
      const metrics = await (await fetch(exporterUrl)).text();
      expect(metrics).toMatch(/^nginx_up 1$/m);
      expect(Number(/^nginx_http_requests_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    });

    it('limits a flood of logins from one address with 429 and Retry-After', async () => {
      // Own address, own emails: neither another spec's budget nor auth's per-account limit.
      const address = `127.0.${E2E_INSTANCE}.${100 + Math.floor(Math.random() * 100)}`;
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          postFrom(address, '/v1/auth/login', {
            email: `flood-${i}-${randomUUID().slice(0, 8)}@example.test`,
            password: 'not-the-password',
          }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 401).length).toBeGreaterThan(0);
      const limited = answers.filter((a) => a.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      for (const answer of limited) {
        expect(answer.headers['retry-after']).toBe('6');
        expect(JSON.parse(answer.body)).toEqual({
          statusCode: 429,
          code: 'COMMON.RATE_LIMITED',
          message: expect.any(String),
        });
      }
    });
  });
});
