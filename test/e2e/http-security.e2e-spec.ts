import { io, type Socket } from 'socket.io-client';
import { authClient, registerUser, type AuthGrpcClient, type TestUser } from './support/clients';
import { type ExtraService, sparePort, startExtraService } from './support/extra-service';
import { serviceEnv, stack } from './support/stack';

/**
 * The browser-facing policy every service applies itself: security headers on every HTTP
 * port, CORS for the configured origins only, and socket.io refusing a foreign Origin —
 * which, before, any page on the web could use to open a socket with a token it held,
 * since messenger allowed `*` unless told otherwise.
 */

/** On the default allowlist (and the stack's): the web client's Vite dev server. */
const ALLOWED = 'http://localhost:5173';
/** A page on someone else's site. */
const FOREIGN = 'https://evil.example.test';

const SERVICES = [
  ['auth', stack.auth.http],
  ['profile', stack.profile.http],
  ['friends', stack.friends.http],
  ['messenger', stack.messenger.http],
] as const;

/** What every HTTP answer of every service carries, whatever the path or status. */
function expectSecurityHeaders(response: Response): void {
  const headers = response.headers;
  expect({
    'x-content-type-options': headers.get('x-content-type-options'),
    'x-frame-options': headers.get('x-frame-options'),
    'referrer-policy': headers.get('referrer-policy'),
    'x-powered-by': headers.get('x-powered-by'),
  }).toEqual({
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-powered-by': null,
  });
  expect(directives(response)['frame-ancestors']).toEqual(["'none'"]);
}

/** The Content-Security-Policy of an answer, by directive. */
function directives(response: Response): Record<string, string[]> {
  const policy = response.headers.get('content-security-policy') ?? '';
  return Object.fromEntries(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name, sources]),
  );
}

/** A CORS preflight, as a browser sends it before a cross-origin call with these headers. */
function preflight(url: string, origin: string, method: string, headers: string[]) {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': headers.join(','),
    },
  });
}

/** The CORS headers of an answer (absent ones left out). */
function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries(
    [...response.headers].filter(([name]) => name.startsWith('access-control-')),
  );
}

describe('HTTP security headers', () => {
  it.each(SERVICES)(
    '%s answers with them on every path and status, and names no framework',
    async (_service, url) => {
      for (const path of ['/health/live', '/metrics', '/no-such-route']) {
        const response = await fetch(`${url}${path}`);
        expectSecurityHeaders(response);
        // JSON and metrics load nothing: the strict API policy.
        expect(directives(response)['default-src']).toEqual(["'none'"]);
      }
    },
  );

  it.each([
    ['auth', stack.auth.http],
    ['friends', stack.friends.http],
  ])('%s serves Swagger UI under a policy the page fits', async (_service, url) => {
    const page = await fetch(`${url}/docs`);
    expect(page.status).toBe(200);
    expectSecurityHeaders(page);
    const policy = directives(page);
    expect(policy['script-src']).toEqual(["'self'"]);
    const html = await page.text();
    // `script-src 'self'` runs no inline script: the page must have none, and each of its
    // scripts and stylesheets must come from the service itself.
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect({ attributes, inline: body.trim() }).toEqual({
        attributes: expect.stringMatching(/src=/) as unknown,
        inline: '',
      });
    }
    const assets = [...html.matchAll(/(?:src|href)=["']([^"']+\.(?:js|css))["']/g)].map(
      // Resolved as the browser does against the page's URL, /docs.
      ([, asset]) => new URL(asset, `${url}/docs`),
    );
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset.origin).toBe(new URL(url).origin);
      const response = await fetch(asset);
      expect({ asset: asset.pathname, status: response.status }).toEqual({
        asset: asset.pathname,
        status: 200,
      });
      expectSecurityHeaders(response);
    }
    // The document itself is JSON again: the strict policy.
    expect(directives(await fetch(`${url}/docs-json`))['default-src']).toEqual(["'none'"]);
  });

  it("messenger's socket.io long-polling answers, written by engine.io, carry them too", async () => {
    const polling = `${stack.messenger.http}/socket.io/?EIO=4&transport=polling`;
    for (const headers of [{}, { origin: ALLOWED }]) {
      const handshake = await fetch(polling, { headers });
      expect(handshake.status).toBe(200);
      expectSecurityHeaders(handshake);
      expect(directives(handshake)['default-src']).toEqual(["'none'"]);

      // A later request of the session (the client's CONNECT packet): its answer too.
      const { sid } = JSON.parse((await handshake.text()).slice(1)) as { sid: string };
      const send = await fetch(`${polling}&sid=${sid}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'text/plain;charset=UTF-8' },
        body: '40',
      });
      expect(send.status).toBe(200);
      expect(await send.text()).toBe('ok');
      expectSecurityHeaders(send);
    }
  });

  it("profile gives GET /graphql (the IDE's page) its own policy and keeps POST strict", async () => {
    const page = await fetch(`${stack.profile.http}/graphql`, { headers: { accept: 'text/html' } });
    expectSecurityHeaders(page);
    expect(directives(page)['script-src']).toEqual(["'self'"]);
    expect(directives(page)['connect-src']).toEqual(["'self'"]);

    const api = await fetch(`${stack.profile.http}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expectSecurityHeaders(api);
    expect(directives(api)['default-src']).toEqual(["'none'"]);
  });
});

describe('CORS on the HTTP APIs', () => {
  const calls = [
    ['auth', `${stack.auth.http}/v1/auth/login`, 'POST', ['content-type']],
    ['profile', `${stack.profile.http}/graphql`, 'POST', ['authorization', 'content-type']],
    ['friends', `${stack.friends.http}/v1/friends`, 'GET', ['authorization']],
  ] as const;

  it.each(calls)(
    '%s answers a preflight from an allowed origin',
    async (_service, url, method, headers) => {
      const response = await preflight(url, ALLOWED, method, [...headers]);
      expect(response.status).toBe(204);
      const cors = corsHeaders(response);
      expect(cors['access-control-allow-origin']).toBe(ALLOWED);
      expect(cors['access-control-allow-methods'].split(',')).toContain(method);
      expect(cors['access-control-allow-headers'].toLowerCase().split(',')).toEqual(
        expect.arrayContaining(['authorization', 'content-type']),
      );
      // Bearer tokens, no cookies: credentials are never allowed.
      expect(cors['access-control-allow-credentials']).toBeUndefined();
      expect(response.headers.get('vary')).toMatch(/origin/i);
      expectSecurityHeaders(response);
    },
  );

  it.each(calls)(
    '%s gives a preflight from a foreign origin no CORS header',
    async (_service, url, method, headers) => {
      const response = await preflight(url, FOREIGN, method, [...headers]);
      expect(corsHeaders(response)).toEqual({});
      expectSecurityHeaders(response);
    },
  );

  it('lets an allowed origin read an answer, not a foreign one; no Origin needs no CORS', async () => {
    const url = `${stack.auth.http}/.well-known/jwks.json`;
    const allowed = await fetch(url, { headers: { origin: ALLOWED } });
    expect(allowed.status).toBe(200);
    expect(corsHeaders(allowed)).toMatchObject({ 'access-control-allow-origin': ALLOWED });
    expect(corsHeaders(allowed)['access-control-expose-headers']).toMatch(/Retry-After/);

    const foreign = await fetch(url, { headers: { origin: FOREIGN } });
    expect(foreign.status).toBe(200);
    expect(corsHeaders(foreign)).toEqual({});

    const native = await fetch(url);
    expect(native.status).toBe(200);
    expect(corsHeaders(native)).toEqual({});
  });
});

describe('socket.io Origin allowlist, with CORS_ORIGINS not set', () => {
  let auth: AuthGrpcClient;
  let user: TestUser;
  /** A messenger with the defaults, as `npm run up` starts it (the stack's names origins). */
  let messenger: ExtraService;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    auth = authClient();
    [messenger, user] = await Promise.all([
      startExtraService('messenger', sparePort(32), {
        CORS_ORIGINS: undefined,
        // Its own consumer group, so the stack's messenger keeps its partitions.
        KAFKA_GROUP_ID: `${serviceEnv('messenger').KAFKA_GROUP_ID}-origins`,
        OTEL_SDK_DISABLED: 'true',
        SHUTDOWN_GRACE_MS: '0',
      }),
      registerUser(auth, 'origin'),
    ]);
  }, 90_000);

  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    auth?.close();
    await messenger?.stop();
  });

  /** Opens a WebSocket-only socket.io connection with a valid token; resolves how it went. */
  function attempt(origin?: string): Promise<'connected' | 'refused'> {
    const socket = io(messenger.url, {
      auth: { token: user.accessToken },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(origin ? { extraHeaders: { origin } } : {}),
    });
    sockets.push(socket);
    return new Promise((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', () => resolve('refused'));
    });
  }

  it('refuses a WebSocket from a foreign Origin, even with a valid token', async () => {
    expect(await attempt(FOREIGN)).toBe('refused');
    expect(await attempt(ALLOWED)).toBe('connected');
    expect(await attempt()).toBe('connected');
  });

  // Node's socket.io-client polls over an XHR that drops Origin, as browsers' does: the
  // handshake is sent as a browser's script would send it.
  it('refuses a polling handshake from a foreign Origin with 403 and no CORS header', async () => {
    const handshake = `${messenger.url}/socket.io/?EIO=4&transport=polling`;
    const foreign = await fetch(handshake, { headers: { origin: FOREIGN } });
    expect(foreign.status).toBe(403);
    expect(corsHeaders(foreign)).toEqual({});
    expectSecurityHeaders(foreign);

    const allowed = await fetch(handshake, { headers: { origin: ALLOWED } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toMatch(/^0\{"sid":/);
    expect(corsHeaders(allowed)['access-control-allow-origin']).toBe(ALLOWED);

    const native = await fetch(handshake);
    expect(native.status).toBe(200);
    expect(corsHeaders(native)).toEqual({});
  });
});
