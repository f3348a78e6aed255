import { Injectable, Logger } from '@nestjs/common';
import { ErrorCodes, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { type AuthenticatedUser, DomainError, TransactionHost } from '@app/platform';
import { randomBytes, randomUUID } from 'node:crypto';
import type { ClientContext } from '../common/client-context';
import {
  NicknameReservations,
  ProfileNotCalledError,
} from '../profile-client/nickname-reservations';
import { AttemptLimiter } from '../rate-limit/attempt-limiter';
import { AccessTokensService } from '../tokens/access-tokens.service';
import type { AuthTokens } from '../tokens/auth-tokens';
import { RefreshTokensService, type SessionOrigin } from '../tokens/refresh-tokens.service';
import { invalidRefreshToken } from '../tokens/tokens.errors';
import {
  accountSuspended,
  emailTaken,
  invalidCredentials,
  nicknameTaken,
  registrationAbandoned,
} from './accounts.errors';
import { AccountsRepository } from './accounts.repository';
import type { CredentialEntity } from './entities/credential.entity';
import { PasswordHasher } from './password-hasher';
import { RegistrationsInProgressRepository } from './registrations-in-progress.repository';

/** Generated nicknames tried for an OAuth account before giving up. */
const GENERATED_NICKNAME_ATTEMPTS = 5;

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
    private readonly limiter: AttemptLimiter,
    private readonly registrations: RegistrationsInProgressRepository,
  ) {}

  /**
   * Registers a user: (a) profile reserves the nickname, (b) credentials and the
   * `auth.user.registered.v1` event commit in one transaction, (c) if (b) fails the
   * reservation is released. No step leaves a half-registered user behind; should this
   * process die between the steps, the sweeper finishes (c) (ADR 0026).
   * Attempts are limited per email and per client address.
   */
  async register(input: Registration, client: ClientContext): Promise<AuthTokens> {
    const email = normalizeEmail(input.email);
    await this.limiter.consumeRegistration(email, client.address);
    // Cheap early answer that spares profile a reservation; the unique index still
    // decides races between concurrent registrations.
    if (await this.accounts.findByEmail(email)) throw emailTaken();
    const passwordHash = await this.hasher.hash(input.password);
    const userId = randomUUID();

    return this.runSaga(
      userId,
      async () => {
        await this.reserveNickname(userId, input.nickname);
        return input.nickname;
      },
      (nickname) =>
        this.completeRegistration(
          { userId, email, passwordHash, nickname },
          undefined,
          sessionOrigin(client),
        ),
    );
  }

  /**
   * Registers an account for a verified external identity (OAuth): no password, and a
   * nickname made from `nicknameHint` plus a random suffix, retried while taken. The same
   * saga as {@link register}; `link(userId)` runs inside its transaction (the identity row).
   */
  async registerExternal(
    emailInput: string,
    nicknameHint: string,
    link: (userId: string) => Promise<void>,
  ): Promise<AuthTokens> {
    const email = normalizeEmail(emailInput);
    if (await this.accounts.findByEmail(email)) throw emailTaken();
    const userId = randomUUID();
    return this.runSaga(
      userId,
      () => this.reserveGeneratedNickname(userId, nicknameHint),
      (nickname) =>
        this.completeRegistration({ userId, email, passwordHash: null, nickname }, link),
    );
  }

  /** The account registered under `email`, if any. */
  async findAccount(emailInput: string): Promise<{ userId: string; email: string } | null> {
    const credential = await this.accounts.findByEmail(normalizeEmail(emailInput));
    return credential && { userId: credential.userId, email: credential.email };
  }

  /**
   * Starts a session (token pair) for a user already authenticated by other means; a
   * suspended account is refused.
   */
  async startSession(userId: string, beforeIssue?: () => Promise<void>): Promise<AuthTokens> {
    const credential = await this.accounts.findById(userId);
    if (!credential) throw invalidCredentials();
    return this.tx.run(async () => {
      await beforeIssue?.();
      return this.issueTokens(credential.userId);
    });
  }

  /**
   * The saga around its steps: the registration is logged as in progress before profile is
   * asked for anything, so a crash at any later point leaves a row the sweeper acts on; a
   * step that fails here is compensated at once (the nickname released).
   */
  private async runSaga(
    userId: string,
    reserve: () => Promise<string>,
    complete: (nickname: string) => Promise<AuthTokens>,
  ): Promise<AuthTokens> {
    await this.registrations.start(userId);
    let nickname: string;
    try {
      nickname = await reserve();
    } catch (error) {
      // Taken, invalid, or not asked (circuit open): profile reserved nothing. Any other
      // failure (a timeout, profile down) leaves the outcome unknown: release, which is
      // idempotent.
      const reservedNothing =
        error instanceof ProfileNotCalledError ||
        (error instanceof DomainError &&
          (error.kind === 'ALREADY_EXISTS' || error.kind === 'INVALID_ARGUMENT'));
      await this.compensate(userId, !reservedNothing);
      throw error;
    }
    try {
      return await complete(nickname);
    } catch (error) {
      await this.compensate(userId, true);
      throw error;
    }
  }

  /**
   * Step (b): in one transaction the registration is taken off the saga's log — refused if
   * the sweeper abandoned it meanwhile — and the credentials, `extra` (e.g. an OAuth
   * identity) and `auth.user.registered.v1` are written.
   */
  private completeRegistration(
    account: { userId: string; email: string; passwordHash: string | null; nickname: string },
    extra?: (userId: string) => Promise<void>,
    origin?: SessionOrigin,
  ): Promise<AuthTokens> {
    const { userId, email, passwordHash, nickname } = account;
    return this.tx.run(async () => {
      if (!(await this.registrations.complete(userId))) throw registrationAbandoned();
      await this.accounts.insert({ userId, email, passwordHash });
      await extra?.(userId);
      await this.events.publish(
        Topics.UserRegistered,
        { userId, email, nickname },
        { key: userId },
      );
      return this.issueTokens(userId, origin);
    });
  }

  /**
   * Step (c), the compensation. The registration is abandoned on the log first: if its row
   * is gone, step (b) committed after all (a commit whose answer was lost) and the
   * nickname belongs to a live account, so nothing is released. Otherwise the nickname is
   * released (unless profile surely holds none) and the row forgotten. A failure is logged,
   * never allowed to mask the original error: the row stays and the sweeper finishes.
   */
  private async compensate(userId: string, release: boolean): Promise<void> {
    try {
      if (!(await this.registrations.abandon(userId))) return;
      if (release) await this.nicknames.release(userId);
      await this.registrations.forget(userId);
    } catch (error) {
      this.logger.error(
        { err: error, userId },
        'Could not release a nickname reservation; the registration sweeper will',
      );
    }
  }

  /**
   * Checks a password; unknown email and wrong password fail alike, in similar time, and
   * count alike against the account's and the address's failed-login limits.
   */
  async login(emailInput: string, password: string, client: ClientContext): Promise<AuthTokens> {
    const email = normalizeEmail(emailInput);
    // Taken before the check, not recorded after it: attempts in flight at the same time
    // would otherwise all find the counter under the limit (ADR 0016).
    await this.limiter.consumeLoginAttempt(email, client.address);
    const credential = await this.checkPassword(email, password).catch(async (error: unknown) => {
      // No verdict on the password, so the caller learnt nothing: the attempt is given back.
      await this.limiter.refundLoginAttempt(email, client.address);
      throw error;
    });
    if (!credential) throw invalidCredentials();
    await this.limiter.recordLoginSuccess(email, client.address);
    await this.upgradeHashIfWeak(credential.userId, credential.passwordHash, password);
    // A suspended account learns so only here, after proving its password.
    return this.tx.run(() => this.issueTokens(credential.userId, sessionOrigin(client)));
  }

  /** The account if `password` is its password; null for a wrong one or an unknown email. */
  private async checkPassword(
    email: string,
    password: string,
  ): Promise<{ userId: string; email: string; passwordHash: string } | null> {
    const credential = await this.accounts.findByEmail(email);
    // An account created through OAuth has no password: it fails like an unknown email.
    if (!credential?.passwordHash) {
      await this.hasher.verifyDummy(password);
      return null;
    }
    if (!(await this.hasher.verify(credential.passwordHash, password))) return null;
    return {
      userId: credential.userId,
      email: credential.email,
      passwordHash: credential.passwordHash,
    };
  }

  /**
   * The clear-text password is only ever at hand during a login: that is when a hash made
   * with parameters weaker than today's is replaced. A failure here must not cost the user
   * the login, so it is logged and the old hash stays until next time.
   */
  private async upgradeHashIfWeak(userId: string, current: string, password: string) {
    if (!this.hasher.needsRehash(current)) return;
    try {
      await this.accounts.updatePasswordHash(userId, current, await this.hasher.hash(password));
    } catch (error) {
      this.logger.warn({ err: error, userId }, 'Could not upgrade a password hash');
    }
  }

  /**
   * Rotates a refresh token and signs a fresh access token for its session, with the
   * account's roles as they are now. A suspended or deleted account is refused.
   */
  async refresh(refreshToken: string): Promise<AuthTokens> {
    const rotated = await this.refreshTokens.rotate(refreshToken, (userId) =>
      this.admit(userId, invalidRefreshToken),
    );
    const { account } = rotated;
    const access = await this.accessTokens.issue({
      userId: account.userId,
      email: account.email,
      sessionId: rotated.sessionId,
      roles: account.roles,
    });
    return {
      accessToken: access.token,
      refreshToken: rotated.refreshToken,
      expiresIn: access.expiresIn,
      userId: account.userId,
    };
  }

  /** Ends the session the refresh token belongs to, everywhere at once; always succeeds. */
  logout(refreshToken: string): Promise<void> {
    return this.refreshTokens.endSessionOf(refreshToken, 'logout');
  }

  validateToken(accessToken: string): Promise<AuthenticatedUser> {
    return this.accessTokens.verify(accessToken);
  }

  /** `hint_1a2b` style nicknames, a few tries in case one is taken. */
  private async reserveGeneratedNickname(userId: string, hint: string): Promise<string> {
    const cleaned = hint.replace(/[^A-Za-z0-9_]/g, '').slice(0, 20);
    const base = cleaned.length >= 3 ? cleaned : 'user';
    for (let attempt = 0; attempt < GENERATED_NICKNAME_ATTEMPTS; attempt += 1) {
      const nickname = `${base}_${randomBytes(3).toString('hex')}`;
      try {
        await this.reserveNickname(userId, nickname);
        return nickname;
      } catch (error) {
        if (!(error instanceof DomainError && error.code === ErrorCodes.AUTH_NICKNAME_TAKEN)) {
          throw error;
        }
      }
    }
    throw nicknameTaken();
  }

  private async reserveNickname(userId: string, nickname: string): Promise<void> {
    if ((await this.nicknames.reserve(userId, nickname)) === 'taken') throw nicknameTaken();
  }

  /**
   * Starts a session and signs its first access token, in the caller's transaction, for an
   * account that exists and is not suspended (read under a share lock: see
   * {@link AccountsRepository.findForShare}).
   */
  private async issueTokens(userId: string, origin?: SessionOrigin): Promise<AuthTokens> {
    const account = await this.admit(userId, invalidCredentials);
    const session = await this.refreshTokens.issue(userId, origin);
    const access = await this.accessTokens.issue({
      userId,
      email: account.email,
      sessionId: session.sessionId,
      roles: account.roles,
    });
    return {
      accessToken: access.token,
      refreshToken: session.refreshToken,
      expiresIn: access.expiresIn,
      userId,
    };
  }

  /** The account a session may be started or refreshed for; `missing` when it is gone. */
  private async admit(userId: string, missing: () => DomainError): Promise<CredentialEntity> {
    const account = await this.accounts.findForShare(userId);
    if (!account) throw missing();
    if (account.suspendedAt) throw accountSuspended();
    return account;
  }
}

/** What the session list will show of the client that logged in. */
function sessionOrigin(client: ClientContext): SessionOrigin {
  return { ip: client.address, userAgent: client.userAgent };
}

/** Emails compare case-insensitively: one account per address however it is typed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
