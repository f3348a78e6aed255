import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ChatKind = 'direct' | 'group';

/** A conversation: `direct` between exactly two users, or `group`. */
@Entity({ name: 'chats' })
export class ChatEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ChatKind;

  @Column({ type: 'varchar', length: 100, nullable: true })
  title: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  /** Sorted member ids joined by `:` for direct chats, null for groups. */
  @Column({ name: 'direct_key', type: 'varchar', length: 80, nullable: true })
  directKey: string | null;

  /** Seq of the newest timeline event; bigint arrives from pg as a string, hence the transformer. */
  @Column({
    name: 'last_seq',
    type: 'bigint',
    insert: false,
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  lastSeq: number;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;
}
