import type { INestApplication } from '@nestjs/common';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** A Content-Security-Policy as helmet takes it: directive (camelCase) → its sources. */
export type ContentSecurityPolicy = Readonly<Record<string, readonly string[]>>;

/**
 * The Content-Security-Policies the services answer with. Every answer gets
 * {@link ContentSecurityPolicies.jsonApi}; an HTML page a service serves declares its own
 * (an {@link HtmlPage}), which replaces it on that page's GETs only.
 */
export const ContentSecurityPolicies = {
  /** JSON has nothing to load and no reason to be framed, submitted to or rebased. */
  jsonApi: {
    defaultSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
  /**
   * Swagger UI as `@nestjs/swagger` serves it: its scripts and stylesheet from the same
   * path, one inline `<style>` and inline SVG styles, `data:` icons, and "Try it out"
   * calling the same origin. No inline script, so `script-src 'self'` holds.
   */
  swaggerUi: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
  },
} as const satisfies Record<string, ContentSecurityPolicy>;

/** An HTML page served beside a JSON API, with the policy it needs to work. */
export interface HtmlPage {
  /** Path of the page and of the assets under it (`/docs` covers `/docs/*`, not `/docs-json`). */
  path: string;
  contentSecurityPolicy: ContentSecurityPolicy;
}

/** What {@link applyHttpSecurity} needs from a service's config. */
export interface HttpSecurityOptions {
  /** Browser origins allowed to call the service (`CORS_ORIGINS`). */
  corsOrigins: readonly string[];
  htmlPages?: readonly HtmlPage[];
}

/**
 * Request headers a browser may send cross-origin besides the CORS-safelisted ones — the
 * gateway's list (infra/gateway), so a client behaves the same behind it or without it.
 */
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-Request-Id',
  'Apollo-Require-Preflight',
  'X-Apollo-Operation-Name',
];
/** Response headers a cross-origin script may read. */
const EXPOSED_HEADERS = ['ETag', 'Retry-After', 'X-Request-Id'];

/**
 * Whether a request may proceed by its `Origin`: browsers always send one and it must be on
 * the allowlist (exactly: scheme, host and port); a request without one is not a browser's
 * cross-origin call (native apps, services, curl), and its access token alone decides.
 */
export function isAllowedOrigin(origin: string | undefined, allowed: readonly string[]): boolean {
  return origin === undefined || allowed.includes(origin);
}

/**
 * The CORS policy of every service, for Express (`app.enableCors`) and socket.io (its
 * `cors` option) alike: an allowed origin is echoed back with the methods and headers a
 * client needs; any other origin gets no CORS header at all, so the browser withholds the
 * answer. No `Access-Control-Allow-Credentials`: the APIs authenticate with a Bearer token
 * a script sends itself, never with cookies a browser would attach on its own.
 */
export function corsOptions(origins: readonly string[]): CorsOptions {
  return {
    // Without an Origin nothing is cross-origin: no headers to add.
    origin: (origin, callback) => callback(null, origin !== undefined && origins.includes(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  };
}

/** helmet's headers with the strict JSON policy: every answer of every service carries them. */
const apiHeaders = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: ContentSecurityPolicies.jsonApi },
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

/**
 * Gives the answers a library writes itself on a service's HTTP server, outside Express,
 * the headers {@link applyHttpSecurity} sends: socket.io's long-polling handshakes, packets
 * and refusals (engine.io's 403 for a foreign Origin) under `path`. Call it after the
 * library has attached to the server: the listener goes first, and engine.io's own
 * `writeHead` keeps what it finds set. helmet sets the headers, so the policy is one.
 */
export function secureLibraryResponses(server: Server, path: string): void {
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.url?.startsWith(path)) apiHeaders(request, response, () => undefined);
  });
}

/**
 * The browser-facing policy of a service's HTTP server, the same the gateway applies at the
 * edge, so a service reached directly (locally, or by a misrouted request) is no weaker:
 * helmet's headers (`nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`,
 * HSTS, the cross-origin isolation headers) with the strict JSON policy, each HTML page's
 * own policy, no `X-Powered-By`, and CORS for the configured origins only. Registered
 * before any route, so 404s, errors and preflights carry the headers too.
 */
export function applyHttpSecurity(app: INestApplication, options: HttpSecurityOptions): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.use(apiHeaders);
  for (const page of options.htmlPages ?? []) {
    const pagePolicy = helmet.contentSecurityPolicy({
      useDefaults: false,
      directives: page.contentSecurityPolicy,
    });
    // Pages are documents, fetched with GET; what else the path answers is API.
    express.use(page.path, (req: IncomingMessage, res: ServerResponse, next: () => void) =>
      req.method === 'GET' || req.method === 'HEAD' ? pagePolicy(req, res, next) : next(),
    );
  }
  app.enableCors(corsOptions(options.corsOrigins));
}
