import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** What was done: a role granted or revoked (by an operator), a suspension begun or lifted. */
export type AccountAuditAction =
  'role_granted' | 'role_revoked' | 'account_suspended' | 'account_reinstated';

/**
 * One administrative action on an account, kept for audit. Written in the transaction of
 * the change it records; never updated. `target_user_id` has no foreign key: the record
 * outlives the account (ADR 0022).
 */
@Entity({ name: 'account_audit_log' })
export class AccountAuditEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  action: AccountAuditAction;

  @Column({ name: 'target_user_id', type: 'uuid' })
  targetUserId: string;

  /** `admin`: an administrator through the API (`actorId` = their user id); `cli`: an operator. */
  @Column({ name: 'actor_type', type: 'varchar', length: 8 })
  actorType: 'admin' | 'cli';

  /** The administrator's user id, or the operator's OS user name. */
  @Column({ name: 'actor_id', type: 'varchar', length: 128 })
  actorId: string;

  /** What else the action said (the reason of a suspension, the role granted). */
  @Column({ type: 'jsonb' })
  details: Record<string, string>;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;
}
