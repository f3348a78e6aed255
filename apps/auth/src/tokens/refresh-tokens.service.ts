import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EventPayload, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { APP_CONFIG, SessionRevocations, TransactionHost } from '@app/platform';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AuthConfig } from '../config/auth.config';
import { RefreshTokenFamilyEntity } from './entities/refresh-token-family.entity';
import { type EndedFamily, RefreshTokensRepository } from './refresh-tokens.repository';
import { invalidRefreshToken } from './tokens.errors';

/** Longest string that could be one of our tokens (32 bytes base64url = 43 chars). */
const MAX_TOKEN_LENGTH = 128;
/**
 * Added to the access-token lifetime when a session's revocation is recorded: covers an
 * access token signed moments after the revoking transaction committed (a refresh whose
 * own transaction won the race).
 */
const REVOCATION_MARGIN_MS = 60_000;

/** Why a session ended, as `auth.session.revoked.v1` says it. */
export type SessionEndReason = EventPayload<typeof Topics.SessionRevoked>['reason'];

/** Where a session was started from, kept for the user's session list. */
export interface SessionOrigin {
  userAgent?: string;
  ip?: string;
}

/** A new session (refresh-token family) and its first refresh token. */
export interface IssuedSession {
  sessionId: string;
  refreshToken: string;
}

/** The result of a successful rotation, with what `admit` resolved for the account. */
export interface RotatedRefreshToken<A> {
  userId: string;
  sessionId: string;
  refreshToken: string;
  account: A;
}

type Rotation<A> =
  { kind: 'rotated'; value: RotatedRefreshToken<A> } | { kind: 'invalid' | 'reused' };

/**
 * Sessions, as families of opaque refresh tokens. A login starts a family (a session, whose
 * id every access token carries as `sid`); each refresh marks the presented token used and
 * issues the next one in the same family. Each token lives `REFRESH_TOKEN_TTL`; the family
 * as a whole lives at most `REFRESH_TOKEN_ABSOLUTE_TTL` from its login, so a stolen token
 * cannot be kept alive forever by rotating it. Presenting a used token means it was copied:
 * the session ends, so both the thief and the victim must log in again.
 *
 * Ending a session (logout, reuse, deletion, suspension, the user's choice) revokes the
 * family and writes `auth.session.revoked.v1` in the caller's transaction; once that commits
 * the session is recorded in the shared revocation set, so every service refuses its access
 * tokens at once rather than at their expiry (ADR 0022).
 */
@Injectable()
export class RefreshTokensService {
  private readonly logger = new Logger(RefreshTokensService.name);

  constructor(
    private readonly tokens: RefreshTokensRepository,
    private readonly tx: TransactionHost,
    private readonly events: EventPublisher,
    private readonly revocations: SessionRevocations,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** Starts a session for `userId` and returns its first token. Joins the caller's transaction. */
  issue(userId: string, origin: SessionOrigin = {}): Promise<IssuedSession> {
    return this.tx.run(async () => {
      const sessionId = randomUUID();
      await this.tokens.insertFamily({
        id: sessionId,
        userId,
        userAgent: origin.userAgent?.slice(0, 256) || null,
        ip: origin.ip?.slice(0, 64) || null,
      });
      return { sessionId, refreshToken: await this.addToken(sessionId, new Date()) };
    });
  }

  /**
   * Exchanges a refresh token for the next one of its session. `admit(userId)` runs in the
   * rotation's transaction before anything is written and may refuse the account (throw);
   * it runs before the token row is locked, so the account is locked first here as in
   * account deletion and suspension, and the two never wait for each other in a cycle.
   */
  async rotate<A>(
    refreshToken: string,
    admit: (userId: string) => Promise<A>,
  ): Promise<RotatedRefreshToken<A>> {
    if (!isPlausible(refreshToken)) throw invalidRefreshToken();
    const tokenHash = hashToken(refreshToken);
    // The revocation on reuse must commit, so the transaction returns an outcome instead
    // of throwing (which would roll the revocation back).
    const rotation = await this.tx.run<Rotation<A>>(async () => {
      const session = await this.tokens.findFamilyByTokenHash(tokenHash);
      if (!session) return { kind: 'invalid' };
      const account = await admit(session.userId);
      const found = await this.tokens.findByHashForUpdate(tokenHash);
      if (!found || found.family.revokedAt) return { kind: 'invalid' };
      const now = new Date();
      if (found.token.usedAt) {
        await this.endSession(found.family.id, 'refresh_token_reuse');
        return { kind: 'reused' };
      }
      if (found.token.expiresAt <= now) return { kind: 'invalid' };
      // However often it is rotated, a session ends at its absolute deadline.
      if (this.sessionDeadline(found.family.createdAt) <= now) return { kind: 'invalid' };
      await this.tokens.markUsed(found.token.id, now);
      await this.tokens.touchFamily(found.family.id);
      const next = await this.addToken(found.family.id, found.family.createdAt);
      return {
        kind: 'rotated',
        value: {
          userId: found.family.userId,
          sessionId: found.family.id,
          refreshToken: next,
          account,
        },
      };
    });
    if (rotation.kind === 'rotated') return rotation.value;
    if (rotation.kind === 'reused') {
      this.logger.warn('Refresh token reused: its session is ended');
    }
    throw invalidRefreshToken();
  }

  /** Ends the session of `refreshToken` (logout); an unknown token is ignored. */
  async endSessionOf(refreshToken: string, reason: SessionEndReason): Promise<void> {
    if (!isPlausible(refreshToken)) return;
    await this.tx.run(async () => {
      const session = await this.tokens.findFamilyByTokenHash(hashToken(refreshToken));
      if (session) await this.endSession(session.id, reason);
    });
  }

  /**
   * Ends one session, in the caller's transaction: revoked, announced by
   * `auth.session.revoked.v1`, and after the commit refused everywhere. Resolves false
   * when it had ended already.
   */
  endSession(sessionId: string, reason: SessionEndReason): Promise<boolean> {
    return this.tx.run(async () => {
      const ended = await this.tokens.revokeFamily(sessionId);
      if (ended) await this.announce([ended], reason);
      return ended !== null;
    });
  }

  /**
   * Ends every session of `userId` (but `exceptSessionId`), in the caller's transaction.
   * The caller holds the account's row lock, so no session can start meanwhile.
   */
  endAllSessions(
    userId: string,
    reason: SessionEndReason,
    exceptSessionId?: string,
  ): Promise<number> {
    return this.tx.run(async () => {
      const ended = await this.tokens.revokeFamiliesOf(userId, exceptSessionId);
      await this.announce(ended, reason);
      return ended.length;
    });
  }

  /** The sessions of `userId` that can still be refreshed, most recently used first. */
  liveSessions(userId: string): Promise<RefreshTokenFamilyEntity[]> {
    const startedAfter = new Date(Date.now() - this.config.tokens.refreshAbsoluteTtlSeconds * 1000);
    return this.tokens.findLiveFamilies(userId, startedAfter);
  }

  findSession(sessionId: string): Promise<RefreshTokenFamilyEntity | null> {
    return this.tokens.findFamily(sessionId);
  }

  /**
   * The event for each ended session whose access tokens may still be alive (one was
   * issued within their lifetime), and, after the commit, its entry in the revocation set
   * until the last of them has expired. Sessions idle for longer hold no live access token:
   * revoking their family is all they need.
   */
  private async announce(ended: readonly EndedFamily[], reason: SessionEndReason): Promise<void> {
    const ttlMs = this.config.tokens.accessTtlSeconds * 1000;
    const live = ended.filter(
      (session) => session.lastUsedAt.getTime() > Date.now() - ttlMs - REVOCATION_MARGIN_MS,
    );
    for (const session of live) {
      await this.events.publish(
        Topics.SessionRevoked,
        { userId: session.userId, sessionId: session.id, reason },
        { key: session.userId },
      );
    }
    if (live.length === 0) return;
    this.tx.afterCommit(() => {
      // Every access token of these sessions was signed before now (or within the margin).
      const until = Date.now() + ttlMs + REVOCATION_MARGIN_MS;
      for (const session of live) {
        // The local mirror is updated before this returns; Redis and the other instances
        // follow, and the event above reaches every service should Redis be down.
        this.revocations
          .revoke(session.id, until)
          .catch((error: unknown) =>
            this.logger.warn(
              { err: error, sessionId: session.id },
              'Could not record a session revocation in Redis; the event will carry it',
            ),
          );
      }
    });
  }

  /** Adds a token to a family; it expires after the sliding TTL or at the session deadline. */
  private async addToken(familyId: string, familyStartedAt: Date): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const sliding = Date.now() + this.config.tokens.refreshTtlSeconds * 1000;
    await this.tokens.insertToken({
      id: randomUUID(),
      familyId,
      tokenHash: hashToken(token),
      expiresAt: new Date(Math.min(sliding, this.sessionDeadline(familyStartedAt).getTime())),
    });
    return token;
  }

  /** When a session (family) started at `startedAt` ends, rotations notwithstanding. */
  private sessionDeadline(startedAt: Date): Date {
    return new Date(startedAt.getTime() + this.config.tokens.refreshAbsoluteTtlSeconds * 1000);
  }
}

/** Tokens carry 256 random bits, so a fast unsalted hash is enough to make them unguessable. */
function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function isPlausible(token: string): boolean {
  return typeof token === 'string' && token.length > 0 && token.length <= MAX_TOKEN_LENGTH;
}
