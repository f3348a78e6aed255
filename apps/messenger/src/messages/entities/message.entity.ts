import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One message; `seq` is the seq of its `message.created` event in the chat's timeline. */
@Entity({ name: 'messages' })
export class MessageEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'chat_id', type: 'uuid' })
  chatId: string;

  @Column({ name: 'sender_id', type: 'uuid' })
  senderId: string;

  @Column({
    type: 'bigint',
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  seq: number;

  @Column({ type: 'text' })
  text: string;

  /** The sender's idempotency key: the same key twice is the same message. */
  @Column({ name: 'client_message_id', type: 'varchar', length: 64 })
  clientMessageId: string;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  /** The message of the same chat this one answers. */
  @Column({ name: 'reply_to_id', type: 'uuid', nullable: true })
  replyToId: string | null;

  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true })
  editedAt: Date | null;

  /** Set when deleted: the row stays as a tombstone, its text erased. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
