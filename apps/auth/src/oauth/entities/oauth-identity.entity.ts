import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user's account at an OAuth provider, linked to an auth account. */
@Entity({ name: 'oauth_identities' })
export class OAuthIdentityEntity {
  /** The provider's configured name (`OAUTH_PROVIDERS[].name`). */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  provider: string;

  /** The provider's stable id of the user (`sub` of its user info). */
  @PrimaryColumn({ type: 'varchar', length: 255 })
  subject: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;
}
