import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { AccountAuditEntryEntity } from './entities/account-audit-entry.entity';

/** The audit log of administrative actions; append-only. */
@Injectable()
export class AccountAuditRepository {
  constructor(private readonly tx: TransactionHost) {}

  async record(
    entry: Pick<
      AccountAuditEntryEntity,
      'action' | 'targetUserId' | 'actorType' | 'actorId' | 'details'
    >,
  ): Promise<void> {
    await this.tx.manager.insert(AccountAuditEntryEntity, entry);
  }
}
