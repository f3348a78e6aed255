import { Injectable, Logger } from '@nestjs/common';
import { AuthV1, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { type AuthenticatedUser, TransactionHost } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { NicknameReservations } from '../profile-client/nickname-reservations';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { invalidRefreshToken } from '../tokens/tokens.errors';
import { emailTaken, invalidCredentials, nicknameTaken } from './accounts.errors';
import { AccountsRepository } from './accounts.repository';
import { PasswordHasher } from './password-hasher';

/** A validated registration. */
export interface Registration {
  email: string;
  password: string;
  nickname: string;
}

/**
 * Accounts: registration (a saga with profile, which owns nicknames), login, and the
 * token pair a session lives on.
 */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly hasher: PasswordHasher,
    private readonly nicknames: NicknameReservations,
    private readonly accessTokens: AccessTokensService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly events: EventPublisher,
    private readonly tx: TransactionHost,
  ) {}

  /**
   * Registers a user: (a) profile reserves the nickname, (b) credentials and the
   * `auth.user.registered.v1` event commit in one transaction, (c) if (b) fails the
   * reservation is released. No step leaves a half-registered user behind.
   */
  async register(input: Registration): Promise<AuthV1.AuthTokens> {
    const email = normalizeEmail(input.email);
    // Cheap early answer that spares profile a reservation; the unique index still
    // decides races between concurrent registrations.
    if (await this.accounts.findByEmail(email)) throw emailTaken();
    const passwordHash = await this.hasher.hash(input.password);
    const userId = randomUUID();

    await this.reserveNickname(userId, input.nickname);
    try {
      return await this.tx.run(async () => {
        await this.accounts.insert({ userId, email, passwordHash });
        await this.events.publish(
          Topics.UserRegistered,
          { userId, email, nickname: input.nickname },
          { key: userId },
        );
        return this.issueTokens(userId, email);
      });
    } catch (error) {
      await this.releaseNickname(userId);
      throw error;
    }
  }

  /** Checks a password; unknown email and wrong password fail alike, in similar time. */
  async login(emailInput: string, password: string): Promise<AuthV1.AuthTokens> {
    const email = normalizeEmail(emailInput);
    const credential = await this.accounts.findByEmail(email);
    if (!credential) {
      await this.hasher.verifyDummy(password);
      throw invalidCredentials();
    }
    if (!(await this.hasher.verify(credential.passwordHash, password))) throw invalidCredentials();
    return this.tx.run(() => this.issueTokens(credential.userId, credential.email));
  }

  /** Rotates a refresh token and signs a fresh access token for its user. */
  async refresh(refreshToken: string): Promise<AuthV1.AuthTokens> {
    const rotated = await this.refreshTokens.rotate(refreshToken);
    const credential = await this.accounts.findById(rotated.userId);
    if (!credential) throw invalidRefreshToken();
    const access = await this.accessTokens.issue({
      userId: credential.userId,
      email: credential.email,
    });
    return {
      accessToken: access.token,
      refreshToken: rotated.refreshToken,
      expiresIn: access.expiresIn,
      userId: credential.userId,
    };
  }

  /** Ends the session the refresh token belongs to; always succeeds. */
  logout(refreshToken: string): Promise<void> {
    return this.refreshTokens.revokeFamilyOf(refreshToken);
  }

  validateToken(accessToken: string): Promise<AuthenticatedUser> {
    return this.accessTokens.verify(accessToken);
  }

  private async reserveNickname(userId: string, nickname: string): Promise<void> {
    let outcome: 'reserved' | 'taken';
    try {
      outcome = await this.nicknames.reserve(userId, nickname);
    } catch (error) {
      // A timeout may still have reserved on profile's side: release is idempotent.
      await this.releaseNickname(userId);
      throw error;
    }
    if (outcome === 'taken') throw nicknameTaken();
  }

  /** Compensation; its failure is logged, never allowed to mask the original error. */
  private async releaseNickname(userId: string): Promise<void> {
    try {
      await this.nicknames.release(userId);
    } catch (error) {
      this.logger.error({ err: error, userId }, 'Could not release a nickname reservation');
    }
  }

  /** Signs an access token and starts a refresh-token family, in the caller's transaction. */
  private async issueTokens(userId: string, email: string): Promise<AuthV1.AuthTokens> {
    const refreshToken = await this.refreshTokens.issue(userId);
    const access = await this.accessTokens.issue({ userId, email });
    return { accessToken: access.token, refreshToken, expiresIn: access.expiresIn, userId };
  }
}

/** Emails compare case-insensitively: one account per address however it is typed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
