import { Injectable } from '@nestjs/common';
import type { VerifiedAccessToken } from '@app/platform';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { sessionNotFound } from './sessions.errors';

/** One live session, as its user sees it. */
export interface SessionView {
  sessionId: string;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
  ip: string | null;
  /** The session of the access token that asked. */
  current: boolean;
}

/** A user's own sessions: the list, and ending one or all of them. */
@Injectable()
export class SessionsService {
  constructor(private readonly sessions: RefreshTokensService) {}

  /** The caller's sessions that can still be refreshed, most recently used first. */
  async list(caller: VerifiedAccessToken): Promise<SessionView[]> {
    const families = await this.sessions.liveSessions(caller.userId);
    return families.map((family) => ({
      sessionId: family.id,
      createdAt: family.createdAt,
      lastUsedAt: family.lastUsedAt,
      userAgent: family.userAgent,
      ip: family.ip,
      current: family.id === caller.sessionId,
    }));
  }

  /** Ends one of the caller's sessions (the current one included); NOT_FOUND otherwise. */
  async revoke(caller: VerifiedAccessToken, sessionId: string): Promise<void> {
    const session = await this.sessions.findSession(sessionId);
    if (!session || session.userId !== caller.userId || session.revokedAt) {
      throw sessionNotFound();
    }
    if (!(await this.sessions.endSession(session.id, 'revoked'))) throw sessionNotFound();
  }

  /**
   * Ends every session of the caller but the current one ("sign out of other devices"),
   * or the current one too with `includeCurrent`.
   */
  async revokeAll(caller: VerifiedAccessToken, includeCurrent: boolean): Promise<void> {
    const keep = includeCurrent ? undefined : caller.sessionId;
    await this.sessions.endAllSessions(caller.userId, 'revoked', keep);
  }
}
