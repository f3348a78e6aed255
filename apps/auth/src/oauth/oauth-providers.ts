import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, REDIS_CLIENT } from '@app/platform';
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import passport from 'passport';
import OAuth2Strategy from 'passport-oauth2';
import type { AuthConfig } from '../config/auth.config';
import { OAuthStateStore } from './oauth-state.store';

/** Who the provider says the user is (from its user-info endpoint). */
export interface ExternalProfile {
  /** The provider's stable user id (`sub`, or `id`). */
  subject: string;
  email?: string;
  /** True only when the provider explicitly says it verified the email. */
  emailVerified: boolean;
  /** A display or user name, to make a nickname from. */
  name?: string;
}

/** How a callback ended, as far as the provider and the state are concerned. */
export type OAuthOutcome =
  | { kind: 'authenticated'; profile: ExternalProfile }
  | { kind: 'invalid-state' }
  | { kind: 'not-confirmed'; error: unknown };

/**
 * The configured OAuth2 providers as passport-oauth2 strategies (authorization code with
 * PKCE S256, `state` in Redis bound to the browser), on a private passport instance, with
 * no sessions: the outcome is handed back, and auth issues its own tokens.
 */
@Injectable()
export class OAuthProviders {
  private readonly logger = new Logger(OAuthProviders.name);
  private readonly passport = new passport.Passport();
  private readonly httpsRedirect = new Map<string, boolean>();

  constructor(@Inject(APP_CONFIG) config: AuthConfig, @Inject(REDIS_CLIENT) redis: Redis) {
    for (const provider of config.oauth.providers) {
      const strategy = new OAuth2Strategy(
        {
          authorizationURL: provider.authorizationUrl,
          tokenURL: provider.tokenUrl,
          clientID: provider.clientId,
          clientSecret: provider.clientSecret,
          callbackURL: provider.redirectUri,
          scope: provider.scopes,
          state: true,
          pkce: true,
          store: new OAuthStateStore(
            redis,
            provider.name,
            `${config.redis.keyPrefix}:oauth-state`,
            config.oauth.stateTtlSeconds,
          ) as unknown as OAuth2Strategy.StateStore,
        },
        (
          _accessToken: string,
          _refreshToken: string,
          profile: ExternalProfile,
          done: OAuth2Strategy.VerifyCallback,
        ) => done(null, profile),
      );
      // The user-info request is made with the bearer header (not a query parameter, where
      // the token would end up in the provider's access logs).
      strategy.userProfile = (accessToken, done) => {
        fetchProfile(provider.userInfoUrl, accessToken).then(
          (profile) => done(null, profile),
          (error: unknown) => done(error),
        );
      };
      this.passport.use(strategyName(provider.name), strategy);
      this.httpsRedirect.set(provider.name, provider.redirectUri.startsWith('https:'));
    }
  }

  /** passport's middleware for one provider, reporting to `done` instead of a session. */
  private middleware(
    provider: string,
    done: (error: unknown, user: ExternalProfile | false) => void,
  ): Middleware {
    return this.passport.authenticate(
      strategyName(provider),
      { session: false },
      done,
    ) as Middleware;
  }

  has(provider: string): boolean {
    return this.httpsRedirect.has(provider);
  }

  /** Whether the provider calls back over HTTPS (so the binding cookie must be Secure). */
  callsBackOverHttps(provider: string): boolean {
    return this.httpsRedirect.get(provider) === true;
  }

  /** Answers the browser with the redirect to the provider's authorization page. */
  async redirectToProvider(provider: string, req: Request, res: Response): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      res.once('finish', () => resolve());
      this.middleware(provider, (error: unknown) =>
        reject(error instanceof Error ? error : new Error('OAuth redirect failed')),
      )(req, res, (error?: unknown) =>
        reject(error instanceof Error ? error : new Error('OAuth redirect failed')),
      );
    });
  }

  /** Checks the callback's state, exchanges the code (with the PKCE verifier), reads the user. */
  finish(provider: string, req: Request, res: Response): Promise<OAuthOutcome> {
    return new Promise((resolve) => {
      this.middleware(provider, (error: unknown, user: ExternalProfile | false) => {
        if (error) {
          this.logger.warn({ provider, reason: describe(error) }, 'OAuth code exchange failed');
          resolve({ kind: 'not-confirmed', error });
        } else if (!user) {
          resolve({ kind: 'invalid-state' });
        } else {
          resolve({ kind: 'authenticated', profile: user });
        }
      })(req, res, (error?: unknown) => resolve({ kind: 'not-confirmed', error }));
    });
  }
}

const strategyName = (provider: string) => `oauth2:${provider}`;

type Middleware = (req: Request, res: Response, next: (error?: unknown) => void) => void;

async function fetchProfile(url: string, accessToken: string): Promise<ExternalProfile> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`user info answered ${response.status}`);
  const info = (await response.json()) as Record<string, unknown>;
  const subject = info.sub ?? info.id;
  if (typeof subject !== 'string' && typeof subject !== 'number') {
    throw new Error('user info has no subject');
  }
  const name = [info.preferred_username, info.login, info.name].find(
    (v): v is string => typeof v === 'string',
  );
  return {
    subject: String(subject),
    email: typeof info.email === 'string' ? info.email : undefined,
    emailVerified: info.email_verified === true,
    name,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown';
}
