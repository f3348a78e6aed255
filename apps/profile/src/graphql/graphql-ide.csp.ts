import type { ContentSecurityPolicy } from '@app/platform';

/**
 * The Content-Security-Policy of the page a browser gets at `GET /graphql` and of its
 * assets under `/graphql/assets/` — the one place to change when that page changes. The
 * page is GraphiQL, bundled from npm into profile's build (apps/profile/graphiql), served
 * outside production only. Every other answer of profile, and POSTs to `/graphql`, keep
 * the platform's strict JSON API policy.
 *
 * Nothing but this origin, and only what GraphiQL uses, checked in Chromium by
 * `test/graphql-ide.e2e-spec.ts` (which fails on any violation):
 * - scripts and Monaco's web workers from the bundle; no inline script, no `eval`;
 * - styles from the bundle plus `'unsafe-inline'`: Monaco writes `<style>` elements and
 *   `style` attributes at run time, and attributes cannot be allowed by hash or nonce;
 * - fonts from the bundle, including those GraphiQL's stylesheet embeds as `data:`;
 * - requests to this origin only: the operations over HTTP, subscriptions over graphql-ws
 *   (CSP Level 3 matches `ws:`/`wss:` of the same host and port with `'self'`, so the page
 *   works on profile's own port and behind the gateway alike);
 * - nothing else: no frames, plugins, forms, `<base>`, and no framing of the page.
 */
export const GRAPHQL_IDE_CONTENT_SECURITY_POLICY: ContentSecurityPolicy = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  workerSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  fontSrc: ["'self'", 'data:'],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};
