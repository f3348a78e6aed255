import { Column, Entity, PrimaryColumn } from 'typeorm';

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

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false })
  updatedAt: Date;
}
