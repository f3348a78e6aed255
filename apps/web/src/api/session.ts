import { authApi, type AuthTokens } from './auth-api';
import { ApiError } from './errors';

/** What the UI shows: the sign-in screen (with why, when the server ended the session) or the app. */
export type SessionState =
  | { status: 'restoring' }
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; userId: string };

interface Tokens {
  accessToken: string;
  refreshToken: string;
  userId: string;
  /** Epoch ms at which the access token expires. */
  expiresAt: number;
}

/**
 * The refresh token lives in this tab's sessionStorage, so a reload keeps the session
 * while another tab signs in on its own: two tabs sharing one refresh token would rotate
 * it in turn, and auth treats a rotated token presented again as theft and ends the whole
 * session (ADR 0023). The access token stays in memory only.
 */
const STORAGE_KEY = 'messenger.session';
/** Refresh this long before expiry (or at 80 % of a shorter lifetime). */
const REFRESH_MARGIN_MS = 60_000;
/** After a failed refresh that did not end the session (network, 5xx), try again after this. */
const RETRY_REFRESH_MS = 5_000;

export const SESSION_ENDED_NOTICE = 'Your session has ended. Sign in again.';

/**
 * The signed-in user's tokens: sign-in, sign-up, sign-out, refresh before the access token
 * expires (single flight), and the end of a session the server refused — a 401 that a
 * refresh cannot cure, or `auth:expired` on the socket — which sends the user back to
 * sign-in. Components read it through {@link Session.subscribe}/{@link Session.getState}.
 */
export class Session {
  private tokens: Tokens | null = null;
  private state: SessionState = { status: 'restoring' };
  private refreshing: Promise<string> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly tokenListeners = new Set<(accessToken: string) => void>();

  constructor(private readonly storage: Storage = window.sessionStorage) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): SessionState => this.state;

  /** Called with each new access token (the socket hands it to messenger with `auth:refresh`). */
  onAccessToken(listener: (accessToken: string) => void): () => void {
    this.tokenListeners.add(listener);
    return () => this.tokenListeners.delete(listener);
  }

  /** Resumes the session this tab had before a reload, if any. */
  async restore(): Promise<void> {
    const saved = this.storage.getItem(STORAGE_KEY);
    if (!saved) return this.setState({ status: 'signed-out' });
    try {
      const { refreshToken } = JSON.parse(saved) as { refreshToken: string };
      this.accept(await authApi.refresh(refreshToken));
    } catch (error) {
      // A refused token is gone for good; after a network failure the next sign-in
      // replaces it anyway.
      if (error instanceof ApiError && error.status === 401) this.clear();
      this.setState({ status: 'signed-out' });
    }
  }

  async signIn(email: string, password: string): Promise<void> {
    this.accept(await authApi.login({ email, password }));
  }

  async signUp(email: string, password: string, nickname: string): Promise<void> {
    this.accept(await authApi.register({ email, password, nickname }));
  }

  async signOut(): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    this.clear();
    this.setState({ status: 'signed-out' });
    // The session ends on the server too; if that call fails the token is forgotten anyway.
    if (refreshToken) await authApi.logout(refreshToken).catch(() => undefined);
  }

  /** The server ended the session: back to sign-in, saying why. */
  end(notice = SESSION_ENDED_NOTICE): void {
    if (this.state.status !== 'signed-in') return;
    this.clear();
    this.setState({ status: 'signed-out', notice });
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async accessToken(): Promise<string> {
    const tokens = this.tokens;
    if (!tokens) throw new ApiError('CLIENT.SESSION_ENDED', SESSION_ENDED_NOTICE);
    if (tokens.expiresAt - Date.now() > 5_000) return tokens.accessToken;
    return this.refresh();
  }

  /**
   * Rotates the tokens; concurrent callers share one request (a refresh token is good for
   * one use). A refusal ends the session; a network failure keeps it and retries later.
   */
  refresh(): Promise<string> {
    if (!this.refreshing) {
      const refreshToken = this.tokens?.refreshToken;
      if (!refreshToken) {
        return Promise.reject(new ApiError('CLIENT.SESSION_ENDED', SESSION_ENDED_NOTICE));
      }
      this.refreshing = authApi
        .refresh(refreshToken)
        .then((fresh) => {
          // Signed out (or in as someone else) meanwhile: this answer is stale.
          if (this.tokens?.refreshToken !== refreshToken) {
            throw new ApiError('CLIENT.SESSION_ENDED', SESSION_ENDED_NOTICE);
          }
          return this.accept(fresh);
        })
        .catch((error: unknown) => {
          if (error instanceof ApiError && error.status === 401) this.end();
          else if (this.tokens?.refreshToken === refreshToken) this.schedule(RETRY_REFRESH_MS);
          throw error;
        })
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  /**
   * `fetch` with the Bearer token. A 401 is retried once with a refreshed token (the token
   * may have expired in flight); a second 401 means the server ended the session.
   */
  async fetch(input: Request): Promise<Response> {
    const attempt = async (token: string) => {
      const request = input.clone();
      request.headers.set('Authorization', `Bearer ${token}`);
      return fetch(request);
    };
    const first = await attempt(await this.accessToken());
    if (first.status !== 401) return first;
    const second = await attempt(await this.refresh());
    if (second.status === 401) this.end();
    return second;
  }

  private accept(fresh: AuthTokens): string {
    this.tokens = {
      accessToken: fresh.accessToken,
      refreshToken: fresh.refreshToken,
      userId: fresh.userId,
      expiresAt: Date.now() + fresh.expiresIn * 1000,
    };
    this.storage.setItem(STORAGE_KEY, JSON.stringify({ refreshToken: fresh.refreshToken }));
    const lifetime = fresh.expiresIn * 1000;
    this.schedule(Math.max(1_000, Math.min(lifetime - REFRESH_MARGIN_MS, lifetime * 0.8)));
    if (this.state.status !== 'signed-in' || this.state.userId !== fresh.userId) {
      this.setState({ status: 'signed-in', userId: fresh.userId });
    }
    for (const listener of this.tokenListeners) listener(fresh.accessToken);
    return fresh.accessToken;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh().catch(() => undefined), delayMs);
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.tokens = null;
    this.storage.removeItem(STORAGE_KEY);
  }

  private setState(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}
