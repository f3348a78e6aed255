import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The answer given to one `Idempotency-Key` of one user, replayed for a retry. */
@Entity('idempotency_keys')
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'uuid', name: 'user_id' })
  userId: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key: string;

  /** SHA-256 of method, path and body: the same key with another request is refused. */
  @Column({ type: 'char', length: 64, name: 'request_hash' })
  requestHash: string;

  /** The response body, null for an empty one (204); null too until the request finished. */
  @Column({ type: 'jsonb', nullable: true })
  response: unknown;

  @CreateDateColumn({ type: 'timestamptz', precision: 3, name: 'created_at' })
  createdAt: Date;
}
