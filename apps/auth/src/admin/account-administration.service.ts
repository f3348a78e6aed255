import { Injectable, Logger } from '@nestjs/common';
import { Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { TransactionHost, type VerifiedAccessToken } from '@app/platform';
import { AccountsRepository } from '../accounts/accounts.repository';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { AccountAuditRepository } from './account-audit.repository';
import { accountNotFound, adminOnly, cannotSuspendSelf } from './admin.errors';

/**
 * What administrators do to accounts: suspend and reinstate. Each action that changes
 * something is written, in one transaction with the change, to the audit log and to its
 * event (`auth.account.suspended.v1` / `.reinstated.v1`). Asking for the state an account
 * is already in changes nothing and records nothing.
 *
 * The caller must carry the admin role in their token *and* still have it in the database:
 * a role taken away by `npm run admin:revoke` stops working here at once, not when the
 * token expires.
 */
@Injectable()
export class AccountAdministrationService {
  private readonly logger = new Logger(AccountAdministrationService.name);

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly audit: AccountAuditRepository,
    private readonly sessions: RefreshTokensService,
    private readonly events: EventPublisher,
    private readonly tx: TransactionHost,
  ) {}

  /** The account can no longer log in or refresh, and every session of it ends now. */
  async suspend(admin: VerifiedAccessToken, userId: string, reason: string): Promise<void> {
    await this.assertAdmin(admin);
    if (userId === admin.userId) throw cannotSuspendSelf();
    const changed = await this.tx.run(async () => {
      // Locked first, as logins and refreshes lock it: none starts a session unseen.
      const account = await this.accounts.findForUpdate(userId);
      if (!account) throw accountNotFound();
      if (account.suspendedAt) return false;
      await this.accounts.setSuspension(userId, new Date(), reason);
      await this.sessions.endAllSessions(userId, 'account_suspended');
      await this.audit.record({
        action: 'account_suspended',
        targetUserId: userId,
        actorType: 'admin',
        actorId: admin.userId,
        details: { reason },
      });
      await this.events.publish(
        Topics.AccountSuspended,
        { userId, reason, actorId: admin.userId },
        { key: userId },
      );
      return true;
    });
    if (changed) this.logger.log({ userId, adminId: admin.userId }, 'Account suspended');
  }

  /** Lifts a suspension: the account may log in again (its old sessions stay ended). */
  async reinstate(admin: VerifiedAccessToken, userId: string): Promise<void> {
    await this.assertAdmin(admin);
    const changed = await this.tx.run(async () => {
      const account = await this.accounts.findForUpdate(userId);
      if (!account) throw accountNotFound();
      if (!account.suspendedAt) return false;
      await this.accounts.setSuspension(userId, null, null);
      await this.audit.record({
        action: 'account_reinstated',
        targetUserId: userId,
        actorType: 'admin',
        actorId: admin.userId,
        details: {},
      });
      await this.events.publish(
        Topics.AccountReinstated,
        { userId, actorId: admin.userId },
        { key: userId },
      );
      return true;
    });
    if (changed) this.logger.log({ userId, adminId: admin.userId }, 'Account reinstated');
  }

  private async assertAdmin(caller: VerifiedAccessToken): Promise<void> {
    if (!caller.roles.includes('admin')) throw adminOnly();
    const account = await this.accounts.findById(caller.userId);
    if (!account?.roles.includes('admin') || account.suspendedAt) throw adminOnly();
  }
}
