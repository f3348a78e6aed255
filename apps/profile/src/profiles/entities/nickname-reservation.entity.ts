import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A nickname held for a registration in progress (step one of auth's registration saga).
 * Becomes a profile when `auth.user.registered.v1` arrives, or is released by auth's
 * compensation when registration fails — or by auth's registration sweeper when the auth
 * process died mid-saga (ADR 0026).
 */
@Entity({ name: 'nickname_reservations' })
export class NicknameReservationEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 32 })
  nickname: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
