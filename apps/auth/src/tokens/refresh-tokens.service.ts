import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, TransactionHost } from '@app/platform';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AuthConfig } from '../config/auth.config';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { invalidRefreshToken } from './tokens.errors';

/** Longest string that could be one of our tokens (32 bytes base64url = 43 chars). */
const MAX_TOKEN_LENGTH = 128;

/** The result of a successful rotation. */
export interface RotatedRefreshToken {
  userId: string;
  refreshToken: string;
}

type Rotation = { kind: 'rotated'; value: RotatedRefreshToken } | { kind: 'invalid' | 'reused' };

/**
 * Opaque refresh tokens in families. A login starts a family; each refresh marks the
 * presented token used and issues the next one in the same family. Each token lives
 * `REFRESH_TOKEN_TTL`; the family as a whole lives at most `REFRESH_TOKEN_ABSOLUTE_TTL`
 * from its login, so a stolen token cannot be kept alive forever by rotating it. Presenting a used
 * token means it was copied: the whole family is revoked, so both the thief and the
 * victim must log in again.
 */
@Injectable()
export class RefreshTokensService {
  private readonly logger = new Logger(RefreshTokensService.name);

  constructor(
    private readonly tokens: RefreshTokensRepository,
    private readonly tx: TransactionHost,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** Starts a new family for `userId` and returns its first token. Joins the caller's transaction. */
  issue(userId: string): Promise<string> {
    return this.tx.run(async () => {
      const familyId = randomUUID();
      await this.tokens.insertFamily({ id: familyId, userId });
      return this.addToken(familyId, new Date());
    });
  }

  /** Exchanges a refresh token for the next one of its family. */
  async rotate(refreshToken: string): Promise<RotatedRefreshToken> {
    if (!isPlausible(refreshToken)) throw invalidRefreshToken();
    const tokenHash = hashToken(refreshToken);
    // The revocation on reuse must commit, so the transaction returns an outcome instead
    // of throwing (which would roll the revocation back).
    const rotation = await this.tx.run<Rotation>(async () => {
      const found = await this.tokens.findByHashForUpdate(tokenHash);
      if (!found || found.family.revokedAt) return { kind: 'invalid' };
      const now = new Date();
      if (found.token.usedAt) {
        await this.tokens.revokeFamily(found.family.id, now);
        return { kind: 'reused' };
      }
      if (found.token.expiresAt <= now) return { kind: 'invalid' };
      // However often it is rotated, a session ends at its absolute deadline.
      if (this.sessionDeadline(found.family.createdAt) <= now) return { kind: 'invalid' };
      await this.tokens.markUsed(found.token.id, now);
      const next = await this.addToken(found.family.id, found.family.createdAt);
      return { kind: 'rotated', value: { userId: found.family.userId, refreshToken: next } };
    });
    if (rotation.kind === 'rotated') return rotation.value;
    if (rotation.kind === 'reused') {
      this.logger.warn('Refresh token reused: its family is revoked');
    }
    throw invalidRefreshToken();
  }

  /** Revokes the family of `refreshToken`; unknown tokens are ignored (logout always succeeds). */
  async revokeFamilyOf(refreshToken: string): Promise<void> {
    if (!isPlausible(refreshToken)) return;
    const token = await this.tokens.findByHash(hashToken(refreshToken));
    if (token) await this.tokens.revokeFamily(token.familyId, new Date());
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
