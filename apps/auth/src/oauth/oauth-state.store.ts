import type { Redis } from 'ioredis';
import { createHash, randomBytes } from 'node:crypto';

/** What the authorization request left for its callback. */
interface PendingLogin {
  provider: string;
  /** PKCE code verifier; only its S256 challenge went to the provider. */
  verifier: string;
  /** SHA-256 of the browser-binding cookie of the browser that started the login. */
  browser: string;
}

/** The request as this store sees it: where the browser binding was put by the controller. */
export interface OAuthRequest {
  oauthBrowserBinding?: string;
}

type StoreCallback = (error: Error | null, handle?: string) => void;
type VerifyCallback = (error: Error | null, verifier: string | false, info?: object) => void;

/**
 * passport-oauth2's state store, in Redis: `state` is a random handle to the PKCE
 * verifier, the provider and the browser that started the login. Verification deletes the
 * entry atomically (one use), and passes only for the same provider and the browser that
 * holds the binding cookie — a `state` lifted from someone else's flow is worthless.
 */
export class OAuthStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly provider: string,
    private readonly keyPrefix: string,
    private readonly ttlSeconds: number,
  ) {}

  /** passport calls this with 5 parameters when PKCE is on. */
  store(
    req: OAuthRequest,
    verifier: string,
    _state: unknown,
    _meta: unknown,
    done: StoreCallback,
  ): void {
    const handle = randomBytes(32).toString('base64url');
    if (!req.oauthBrowserBinding) {
      done(new Error('no browser binding on the request'));
      return;
    }
    const pending: PendingLogin = {
      provider: this.provider,
      verifier,
      browser: sha256(req.oauthBrowserBinding),
    };
    this.redis.set(this.key(handle), JSON.stringify(pending), 'EX', this.ttlSeconds).then(
      () => done(null, handle),
      (error: Error) => done(error),
    );
  }

  /** passport calls this with 3 parameters; the "ok" value is the PKCE verifier. */
  verify(req: OAuthRequest, state: unknown, done: VerifyCallback): void {
    if (typeof state !== 'string' || !/^[\w-]{43}$/.test(state)) {
      done(null, false, { message: 'missing or malformed state' });
      return;
    }
    // GET and DEL in one transaction: a replayed state finds nothing.
    this.redis
      .multi()
      .get(this.key(state))
      .del(this.key(state))
      .exec()
      .then(
        (results) => {
          const raw = results?.[0]?.[1];
          const pending = typeof raw === 'string' ? (JSON.parse(raw) as PendingLogin) : undefined;
          const browser = req.oauthBrowserBinding ? sha256(req.oauthBrowserBinding) : undefined;
          if (!pending || pending.provider !== this.provider || pending.browser !== browser) {
            done(null, false, { message: 'unknown, used or foreign state' });
            return;
          }
          done(null, pending.verifier);
        },
        (error: Error) => done(error, false),
      );
  }

  private key(handle: string): string {
    return `${this.keyPrefix}:${handle}`;
  }
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
