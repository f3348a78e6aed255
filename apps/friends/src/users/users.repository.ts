import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { In } from 'typeorm';
import { UserEntity } from './entities/user.entity';

/** The directory of users friends knows of. */
@Injectable()
export class UsersRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Adds a user; a user already known is left as is (events may be redelivered). */
  async insertIfMissing(id: string): Promise<void> {
    await this.tx.manager
      .createQueryBuilder()
      .insert()
      .into(UserEntity)
      .values({ id })
      .orIgnore()
      .execute();
  }

  /** Removes a user; their requests and friendships go with them (ON DELETE CASCADE). */
  async delete(id: string): Promise<void> {
    await this.tx.manager.delete(UserEntity, { id });
  }

  /** How many of `ids` are known (duplicates count once). */
  async countKnown(ids: string[]): Promise<number> {
    return this.tx.manager.countBy(UserEntity, { id: In([...new Set(ids)]) });
  }

  async exists(id: string): Promise<boolean> {
    return this.tx.manager.existsBy(UserEntity, { id });
  }
}
