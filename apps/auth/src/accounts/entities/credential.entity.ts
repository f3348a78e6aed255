import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What an account may do: every account is a `user`; some are also `admin`. */
export type Role = 'user' | 'admin';

/** A user's login: email (lower-cased, unique) and the argon2id hash of the password. */
@Entity({ name: 'credentials' })
export class CredentialEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  /**
   * PHC string of the argon2id hash; the password itself is never stored. Null for an
   * account created through OAuth, which has no password.
   */
  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash: string | null;

  /** `user` for everyone, plus `admin` for administrators (granted by `npm run admin:grant`). */
  @Column({ type: 'text', array: true, insert: false, update: false })
  roles: Role[];

  /** Set while an administrator has the account suspended: no login, no refresh. */
  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true, insert: false })
  suspendedAt: Date | null;

  @Column({
    name: 'suspension_reason',
    type: 'varchar',
    length: 500,
    nullable: true,
    insert: false,
  })
  suspensionReason: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false })
  updatedAt: Date;
}
