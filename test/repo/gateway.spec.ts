/**
 * Static checks of the gateway's one template, infra/gateway/nginx.conf.template: which
 * service each public path reaches (nginx's own location rules, applied here), the
 * header and rate-limit directives that nginx inherits all-or-nothing, the renderer's
 * refusals, and — where nginx is installed — `nginx -t` on a rendered copy. How compose and
 * Kubernetes fill the placeholders is checked in compose.spec.ts and k8s.spec.ts; the
 * gateway in action, in test/e2e/gateway.e2e-spec.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const TEMPLATE = readFileSync(
  path.join(REPO_ROOT, 'infra', 'gateway', 'nginx.conf.template'),
  'utf8',
);
const SCRIPT = path.join(REPO_ROOT, 'scripts', 'infra', 'gateway.ts');
const PLACEHOLDERS = [
  ...new Set([...TEMPLATE.matchAll(/\$\{(GATEWAY_[A-Z0-9_]+)\}/g)].map((m) => m[1])),
].sort();

interface Location {
  modifier: '' | '=' | '^~' | '~' | '~*';
  path: string;
  body: string;
}

/** The text between the brace at `open` and its matching closing brace. */
function blockAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === '{') depth += 1;
    if (text[i] === '}' && (depth -= 1) === 0) return text.slice(open + 1, i);
  }
  throw new Error('unbalanced braces');
}

/** The public server: the first `server` block of the template (the second is internal). */
const PUBLIC_SERVER = blockAt(TEMPLATE, TEMPLATE.indexOf('{', TEMPLATE.indexOf('\n  server {')));

const LOCATIONS: Location[] = [
  ...PUBLIC_SERVER.matchAll(/^\s*location\s+(?:(=|\^~|~\*|~)\s+)?(\S+)\s*\{/gm),
].map((m) => ({
  modifier: (m[1] ?? '') as Location['modifier'],
  path: m[2],
  body: blockAt(PUBLIC_SERVER, m.index + m[0].lastIndexOf('{')),
}));

/** The location nginx picks for `uri`: exact, then `^~`/longest prefix, then regexes in order. */
function locationFor(uri: string): Location | undefined {
  const exact = LOCATIONS.find((l) => l.modifier === '=' && l.path === uri);
  if (exact) return exact;
  const prefix = LOCATIONS.filter(
    (l) => (l.modifier === '' || l.modifier === '^~') && uri.startsWith(l.path),
  ).sort((a, b) => b.path.length - a.path.length)[0];
  if (prefix?.modifier === '^~') return prefix;
  const regex = LOCATIONS.find(
    (l) =>
      (l.modifier === '~' || l.modifier === '~*') &&
      new RegExp(l.path, l.modifier === '~*' ? 'i' : '').test(uri),
  );
  return regex ?? prefix;
}

/** What a location does with a request: the upstream it proxies to, a status, or static. */
function handling(uri: string): string {
  const location = locationFor(uri);
  if (!location) return 'nothing';
  const proxy = /proxy_pass http:\/\/(\w+)/.exec(location.body)?.[1];
  if (proxy) return proxy;
  const status = /^\s*return (\d{3})/m.exec(location.body)?.[1];
  if (status) return status;
  return /try_files/.test(location.body) ? 'static' : 'nothing';
}

function runScript(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
}

describe('infra/gateway/nginx.conf.template', () => {
  it.each([
    ['/v1/auth/register', 'auth'],
    ['/v1/auth/login', 'auth'],
    ['/v1/auth/refresh', 'auth'],
    ['/v1/auth/oauth/github/callback', 'auth'],
    ['/v1/auth/logout', 'auth'],
    ['/v1/auth/account', 'auth'],
    ['/.well-known/jwks.json', 'auth'],
    ['/docs/auth/', 'auth'],
    ['/docs/auth/swagger-ui.css', 'auth'],
    ['/graphql', 'profile'],
    ['/graphql/assets/index-1a2b.js', 'profile'],
    ['/v1/friends', 'friends'],
    ['/v1/friends/requests/abc/accept', 'friends'],
    ['/v1/blocks', 'friends'],
    ['/v1/blocks/abc', 'friends'],
    ['/docs/friends/', 'friends'],
    ['/socket.io/', 'messenger'],
    // Internal and unknown API paths never reach a service or the web client.
    ['/v1/auth/validate', '404'],
    ['/internal/v1/authenticate', '404'],
    ['/v1/friendships', '404'],
    ['/v1/unknown', '404'],
    ['/.well-known/openid-configuration', '404'],
    // The web client and its client-side routes.
    ['/', 'static'],
    ['/chats/42', 'static'],
    ['/assets/index-3f2a.js', 'static'],
  ])('sends %s to %s', (uri, expected) => {
    expect(handling(uri)).toBe(expected);
  });

  it('authenticates bearer tokens on every API route, and skips it only for public content', () => {
    const unauthenticated = LOCATIONS.filter((l) => /auth_request off;/.test(l.body)).map((l) =>
      `${l.modifier} ${l.path}`.trim(),
    );
    expect(unauthenticated.sort()).toEqual(
      [
        // Trading another credential for tokens (ADR 0019).
        '= /v1/auth/login',
        '= /v1/auth/register',
        '~ ^/v1/auth/(refresh|logout|oauth/)',
        '= /.well-known/jwks.json',
        '/graphql/assets/',
        '/docs/auth/',
        '= /docs/auth-json',
        '/docs/friends/',
        '= /docs/friends-json',
        '/assets/',
        '/',
      ].sort(),
    );
    expect(PUBLIC_SERVER).toMatch(/^\s{4}auth_request \/_edge\/authenticate;$/m);
  });

  it("declares headers once per server: a location's own add_header would drop them all", () => {
    // nginx inherits add_header, proxy_set_header, proxy_hide_header and error_page only
    // into locations that declare none of their own.
    for (const directive of ['add_header', 'proxy_hide_header', 'error_page']) {
      const offending = LOCATIONS.filter((l) =>
        new RegExp(`^\\s*${directive}\\s`, 'm').test(l.body),
      );
      expect({ directive, offending: offending.map((l) => l.path) }).toEqual({
        directive,
        offending: [],
      });
    }
    // The edge-authentication subrequest is the one place with headers of its own.
    const ownHeaders = LOCATIONS.filter((l) => /^\s*proxy_set_header\s/m.test(l.body));
    expect(ownHeaders.map((l) => l.path)).toEqual(['/_edge/authenticate']);
    for (const header of [
      'X-Request-Id $edge_request_id always',
      'X-Content-Type-Options nosniff always',
      'X-Frame-Options DENY always',
      'Referrer-Policy no-referrer always',
    ]) {
      expect(PUBLIC_SERVER).toContain(`add_header ${header};`);
    }
    expect(PUBLIC_SERVER).toContain('proxy_hide_header X-Powered-By;');
    // A client's X-User-Id never passes: only the verified one (empty: not sent).
    expect(PUBLIC_SERVER).toContain('proxy_set_header X-User-Id $edge_user_id;');
  });

  it('keeps the per-address limit wherever a location sets limits of its own', () => {
    for (const location of LOCATIONS.filter((l) => /limit_req zone=/.test(l.body))) {
      expect({ path: location.path, body: location.body }).toEqual({
        path: location.path,
        body: expect.stringContaining('limit_req zone=edge_per_address'),
      });
    }
    for (const login of ['/v1/auth/login', '/v1/auth/register']) {
      expect(locationFor(login)?.body).toContain('limit_req zone=edge_login');
    }
  });

  it('lists every placeholder in infra/gateway/README.md', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'infra', 'gateway', 'README.md'), 'utf8');
    expect(PLACEHOLDERS.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('scripts/infra/gateway.ts render', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gateway-spec-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const values: Record<string, string> = {
    GATEWAY_LISTEN: '127.0.0.1:18999',
    GATEWAY_STATUS_LISTEN: '127.0.0.1:18998',
    GATEWAY_AUTH_UPSTREAM: '127.0.0.1:3001',
    GATEWAY_PROFILE_UPSTREAM: '127.0.0.1:3002',
    GATEWAY_FRIENDS_UPSTREAM: '127.0.0.1:3003',
    GATEWAY_MESSENGER_UPSTREAM: '127.0.0.1:3004',
    GATEWAY_WEB_ROOT: path.join(REPO_ROOT, 'infra', 'gateway', 'placeholder'),
    GATEWAY_RUNTIME_DIR: dir,
    GATEWAY_ACCESS_LOG: path.join(dir, 'access.log'),
    GATEWAY_INTERNAL_TOKEN: 'a-gateway-spec-token-0123456789abcdef',
    GATEWAY_CORS_ORIGINS: '^http://localhost:5173$',
    GATEWAY_REAL_IP_FROM: 'unix:',
  };

  it('fills every placeholder and nothing else', () => {
    expect(Object.keys(values).sort()).toEqual(PLACEHOLDERS);
    const result = runScript(['render', JSON.stringify(values)]);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toMatch(/\$\{?GATEWAY_[A-Z]/);
    expect(result.stdout).toContain(
      `proxy_set_header X-Internal-Token "${values.GATEWAY_INTERNAL_TOKEN}";`,
    );
  });

  it.each([
    ['a missing value', { ...values, GATEWAY_LISTEN: undefined }, /no value for GATEWAY_LISTEN/],
    ['an unknown name', { ...values, GATEWAY_TYPO: 'x' }, /not in the template: GATEWAY_TYPO/],
    [
      'a value that would end its directive',
      { ...values, GATEWAY_CORS_ORIGINS: '.*; include /etc/passwd' },
      /semicolon .* in GATEWAY_CORS_ORIGINS/,
    ],
  ])('refuses %s', (_case, given, message) => {
    const result = runScript(['render', JSON.stringify(given)]);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(message);
  });

  const nginx = ['/usr/sbin/nginx', 'nginx'].find(
    (candidate) => spawnSync(candidate, ['-v']).error === undefined,
  );
  if (!nginx) console.warn('nginx is not installed: skipping `nginx -t` of the rendered template');

  (nginx ? it : it.skip)('renders a configuration nginx accepts (nginx -t)', () => {
    const config = path.join(dir, 'nginx.conf');
    writeFileSync(config, runScript(['render', JSON.stringify(values)]).stdout);
    const args = ['-t', '-q', '-p', `${dir}/`, '-c', config, '-e', 'stderr'];
    if (process.getuid?.() === 0) args.push('-g', 'user root;');
    const check = spawnSync(nginx!, args, { encoding: 'utf8' });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
