import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { QueryFailedError } from 'typeorm';
import { emailTaken } from './accounts.errors';
import { CredentialEntity } from './entities/credential.entity';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class AccountsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Inserts credentials; a concurrent registration of the same email fails with EMAIL_TAKEN. */
  async insert(
    credential: Pick<CredentialEntity, 'userId' | 'email' | 'passwordHash'>,
  ): Promise<void> {
    try {
      await this.tx.manager.insert(CredentialEntity, credential);
    } catch (error) {
      if (isUniqueViolation(error, 'credentials_email_key')) throw emailTaken();
      throw error;
    }
  }

  /** `email` must already be lower-cased. */
  findByEmail(email: string): Promise<CredentialEntity | null> {
    return this.tx.manager.findOneBy(CredentialEntity, { email });
  }

  /**
   * Replaces a password hash, only if it is still `expected`: a password change that
   * landed meanwhile is never overwritten by an upgrade of the old one.
   */
  async updatePasswordHash(userId: string, expected: string, passwordHash: string): Promise<void> {
    await this.tx.manager.update(
      CredentialEntity,
      { userId, passwordHash: expected },
      { passwordHash, updatedAt: () => 'now()' },
    );
  }

  findById(userId: string): Promise<CredentialEntity | null> {
    return this.tx.manager.findOneBy(CredentialEntity, { userId });
  }

  /**
   * Reads the account and holds a share lock on it until the transaction ends: a session
   * being started cannot interleave with the account's deletion or suspension, which
   * take {@link lockForUpdate} first and so see every session started before them.
   */
  findForShare(userId: string): Promise<CredentialEntity | null> {
    return this.tx.manager
      .createQueryBuilder(CredentialEntity, 'c')
      .where('c.user_id = :userId', { userId })
      .setLock('pessimistic_read')
      .getOne();
  }

  /** Reads the account and locks it against every other writer and session start. */
  findForUpdate(userId: string): Promise<CredentialEntity | null> {
    return this.tx.manager
      .createQueryBuilder(CredentialEntity, 'c')
      .where('c.user_id = :userId', { userId })
      .setLock('pessimistic_write')
      .getOne();
  }

  /** Suspends (`at` set) or reinstates (`at` null) an account. */
  async setSuspension(userId: string, at: Date | null, reason: string | null): Promise<void> {
    await this.tx.manager.update(
      CredentialEntity,
      { userId },
      { suspendedAt: at, suspensionReason: reason, updatedAt: () => 'now()' },
    );
  }

  /**
   * Deletes the account; its refresh-token families and tokens and its OAuth identities go
   * with it (ON DELETE CASCADE).
   */
  async delete(userId: string): Promise<void> {
    await this.tx.manager.delete(CredentialEntity, { userId });
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === UNIQUE_VIOLATION && driverError.constraint === constraint;
}
