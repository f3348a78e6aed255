import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A user friends knows of, copied from auth's registration events. */
@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3, name: 'created_at' })
  createdAt: Date;
}
