import { Injectable, Logger } from '@nestjs/common';
import { Topics } from '@app/contracts';
import { EventPublisher, OutboxErasure, type PersonalFields } from '@app/kafka';
import { TransactionHost, type VerifiedAccessToken } from '@app/platform';
import type { ClientContext } from '../common/client-context';
import { NicknameReservations } from '../profile-client/nickname-reservations';
import { AttemptLimiter } from '../rate-limit/attempt-limiter';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { invalidAccessToken } from '../tokens/tokens.errors';
import { invalidCredentials, recentLoginRequired } from './accounts.errors';
import { AccountsRepository } from './accounts.repository';
import type { CredentialEntity } from './entities/credential.entity';
import { PasswordHasher } from './password-hasher';

/** How fresh the login of an account without password must be to delete it. */
export const RECENT_LOGIN_MINUTES = 5;

/**
 * What auth's events say of a user beyond ids: erased from its outbox with the account. A
 * suspension's reason is the administrator's words about the user; `account_audit_log`
 * keeps it, the event's copy goes.
 */
export const AUTH_PERSONAL_FIELDS: PersonalFields = {
  [Topics.UserRegistered]: ['email', 'nickname'],
  [Topics.AccountSuspended]: ['reason'],
};

/**
 * Deletes accounts (ADR 0022). The caller confirms with the password, or — for an account
 * made through OAuth, which has none — with a login of the last {@link RECENT_LOGIN_MINUTES}
 * minutes. Then, in one transaction: every session ends, the credentials go (refresh tokens
 * and OAuth links with them), the user's personal fields leave auth's outbox
 * ({@link OutboxErasure}) and `auth.user.deleted.v1` is written, on which every service
 * erases the user. Right after the commit profile is asked to erase the user at once, so the
 * nickname is free for the next registration without waiting for the event.
 */
@Injectable()
export class AccountDeletionService {
  private readonly logger = new Logger(AccountDeletionService.name);

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly hasher: PasswordHasher,
    private readonly limiter: AttemptLimiter,
    private readonly sessions: RefreshTokensService,
    private readonly events: EventPublisher,
    private readonly outbox: OutboxErasure,
    private readonly nicknames: NicknameReservations,
    private readonly tx: TransactionHost,
  ) {}

  async deleteAccount(
    caller: VerifiedAccessToken,
    password: string,
    client: ClientContext,
  ): Promise<void> {
    const account = await this.accounts.findById(caller.userId);
    // Deleted meanwhile by another of its sessions: this token's session has ended too.
    if (!account) throw invalidAccessToken();
    await this.confirm(account, caller, password, client);

    await this.tx.run(async () => {
      // Locked first: a login or refresh racing the deletion either finishes before it (and
      // its session is ended below) or finds no account after it.
      if (!(await this.accounts.findForUpdate(account.userId))) throw invalidAccessToken();
      await this.sessions.endAllSessions(account.userId, 'account_deleted');
      await this.accounts.delete(account.userId);
      await this.outbox.eraseUser(account.userId, AUTH_PERSONAL_FIELDS);
      await this.events.publish(
        Topics.UserDeleted,
        { userId: account.userId },
        { key: account.userId },
      );
    });
    this.logger.log({ userId: account.userId }, 'Account deleted');

    try {
      await this.nicknames.releaseDeleted(account.userId);
    } catch (error) {
      this.logger.warn(
        { err: error, userId: account.userId },
        'profile did not erase the deleted user now; auth.user.deleted.v1 will',
      );
    }
  }

  /**
   * The password, checked like a login (it counts against the same failed-login limits,
   * so deletion is no way around them); or, for an account without one, a recent login.
   */
  private async confirm(
    account: CredentialEntity,
    caller: VerifiedAccessToken,
    password: string,
    client: ClientContext,
  ): Promise<void> {
    if (account.passwordHash === null) {
      await this.confirmRecentLogin(caller);
      return;
    }
    await this.limiter.consumeLoginAttempt(account.email, client.address);
    const valid = await this.hasher
      .verify(account.passwordHash, password)
      .catch(async (error: unknown) => {
        await this.limiter.refundLoginAttempt(account.email, client.address);
        throw error;
      });
    if (!valid) throw invalidCredentials();
    await this.limiter.recordLoginSuccess(account.email, client.address);
  }

  private async confirmRecentLogin(caller: VerifiedAccessToken): Promise<void> {
    const session = caller.sessionId ? await this.sessions.findSession(caller.sessionId) : null;
    const freshSince = Date.now() - RECENT_LOGIN_MINUTES * 60_000;
    if (!session || session.createdAt.getTime() < freshSince) {
      throw recentLoginRequired(RECENT_LOGIN_MINUTES);
    }
  }
}
