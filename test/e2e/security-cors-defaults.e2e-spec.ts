/**
 * Issue 15, item 4, for the HTTP services: with `CORS_ORIGINS` not set, as `npm run up`
 * starts them, CORS allows the local gateway's and web client's origins only (ADR 0021),
 * and `*` is refused at start in development as in production. http-security.e2e-spec.ts
 * covers messenger's sockets with the default, and the stack's services with its list.
 * auth stands for every HTTP service here: the policy is the platform's
 * (`applyHttpSecurity`), and auth has no event consumer a second instance would disturb.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  type ExtraService,
  spareGrpcPort,
  sparePort,
  startExtraService,
} from './support/extra-service';
import { E2E_INSTANCE, serviceEnv } from './support/stack';

/** The platform's default allowlist (DEFAULT_CORS_ORIGINS). */
const DEFAULT_ORIGINS = [
  'http://127.0.0.1:8080',
  'http://localhost:8080',
  'http://localhost:5173',
  'http://127.0.0.1:5173',
];
const FOREIGN = [
  'https://evil.example.test',
  'null',
  // This stack's own gateway: allowed by the stack's list, not by the default.
  `http://127.0.0.1:${18080 + E2E_INSTANCE * 100}`,
];

const ROOT = join(__dirname, '..', '..');
const withoutTracing = { OTEL_SDK_DISABLED: 'true', SHUTDOWN_GRACE_MS: '0' };

function preflight(url: string, origin: string) {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
}

describe('CORS of an HTTP service with CORS_ORIGINS not set', () => {
  let auth: ExtraService;

  beforeAll(async () => {
    auth = await startExtraService('auth', sparePort(36), {
      GRPC_PORT: String(spareGrpcPort(28)),
      CORS_ORIGINS: undefined,
      NODE_ENV: 'development',
      ...withoutTracing,
    });
  }, 90_000);
  afterAll(() => auth?.stop());

  it.each(DEFAULT_ORIGINS)('allows %s', async (origin) => {
    const response = await preflight(`${auth.url}/v1/auth/login`, origin);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it.each(FOREIGN)('gives %s no CORS header', async (origin) => {
    const response = await preflight(`${auth.url}/v1/auth/login`, origin);
    expect([...response.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const read = await fetch(`${auth.url}/.well-known/jwks.json`, { headers: { origin } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS_ORIGINS=*', () => {
  // Started by hand: startExtraService waits out its whole timeout for a process that exits.
  const BUILD_DIR = E2E_INSTANCE === 0 ? 'dist' : join('.infra', `e2e-dist-${E2E_INSTANCE}`);

  it.each(['development', 'production'])(
    'stops the start with NODE_ENV=%s',
    async (nodeEnv) => {
      const child = spawn(
        process.execPath,
        [join(ROOT, BUILD_DIR, 'apps', 'auth', 'src', 'main.js')],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            ...serviceEnv('auth'),
            HTTP_PORT: String(sparePort(37)),
            GRPC_PORT: String(spareGrpcPort(29)),
            CORS_ORIGINS: '*',
            NODE_ENV: nodeEnv,
            ...withoutTracing,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      // Were `*` accepted, the service would run on: end it, and the test fails below.
      const started = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      clearTimeout(started);
      expect(code).not.toBe(0);
      // For that reason, not another: it names the variable and what it wants instead.
      expect(output).toMatch(/CORS_ORIGINS.*not \*/);
    },
    30_000,
  );
});
