import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user's membership of a chat and how far they have read. */
@Entity({ name: 'chat_members' })
export class ChatMemberEntity {
  @PrimaryColumn({ name: 'chat_id', type: 'uuid' })
  chatId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'joined_at', type: 'timestamptz', insert: false, update: false })
  joinedAt: Date;

  @Column({
    name: 'last_read_seq',
    type: 'bigint',
    insert: false,
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  lastReadSeq: number;

  @Column({ type: 'varchar', length: 8 })
  role: 'owner' | 'admin' | 'member';
}
