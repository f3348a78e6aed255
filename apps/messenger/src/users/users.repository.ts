import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';

/**
 * messenger's replica of user names (from auth's registrations and profile's updates), so
 * clients can show who wrote what without asking profile for every chat.
 */
@Injectable()
export class UsersRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** A newly registered user: a name to start with, never overwriting a later profile. */
  async insertIfAbsent(userId: string, nickname: string): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO users (id, nickname) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
      [userId, nickname],
    );
  }

  async upsert(userId: string, nickname: string, displayName: string | null): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO users (id, nickname, display_name) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE
         SET nickname = EXCLUDED.nickname, display_name = EXCLUDED.display_name, updated_at = now()`,
      [userId, nickname, displayName],
    );
  }

  async delete(userId: string): Promise<void> {
    await this.tx.manager.query(`DELETE FROM users WHERE id = $1`, [userId]);
  }
}
