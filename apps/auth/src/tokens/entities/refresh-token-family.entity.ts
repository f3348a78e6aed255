import { Column, Entity, PrimaryColumn } from 'typeorm';

/** All refresh tokens descended from one login; revoked as a whole. */
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
}
