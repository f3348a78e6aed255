import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A session: all refresh tokens descended from one login, revoked as a whole. Its id is
 * the `sid` claim of every access token issued to it.
 */
@Entity({ name: 'refresh_token_families' })
export class RefreshTokenFamilyEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** When the session last received tokens: its login, or its latest refresh. */
  @Column({ name: 'last_used_at', type: 'timestamptz', insert: false })
  lastUsedAt: Date;

  /** The User-Agent of the login, as the client sent it (cut to 256 characters). */
  @Column({ name: 'user_agent', type: 'varchar', length: 256, nullable: true })
  userAgent: string | null;

  /** The client address of the login. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;
}
