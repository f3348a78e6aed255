import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A user's public profile; `id` is the user id auth assigned. */
@Entity({ name: 'profiles' })
export class ProfileEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  nickname: string;

  @Column({ name: 'display_name', type: 'varchar', length: 64, nullable: true })
  displayName: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  bio: string | null;

  @Column({ name: 'avatar_url', type: 'varchar', length: 2048, nullable: true })
  avatarUrl: string | null;

  /** From `auth.user.registered.v1`; shown only to the profile's owner. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A `profiles` row as raw SQL returns it, for the hand-written queries (search, friends). */
export interface ProfileRow {
  id: string;
  nickname: string;
  display_name: string | null;
  bio: string | null;
  avatar_url: string | null;
  email: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The columns of {@link ProfileRow}, qualified by `alias`. */
export const profileColumns = (alias: string): string =>
  ['id', 'nickname', 'display_name', 'bio', 'avatar_url', 'email', 'created_at', 'updated_at']
    .map((column) => `${alias}.${column}`)
    .join(', ');

export function profileFromRow(row: ProfileRow): ProfileEntity {
  return Object.assign(new ProfileEntity(), {
    id: row.id,
    nickname: row.nickname,
    displayName: row.display_name,
    bio: row.bio,
    avatarUrl: row.avatar_url,
    email: row.email,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
