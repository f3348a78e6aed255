import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The per-member read model (unread counts kept on write), and messenger's local replicas
 * of other services' data: friendships and blocks (fed by `friends.*` events, the fallback when
 * friends cannot answer) and user names (fed by `profile.profile.updated.v1`).
 */
export class ReadModelAndReplicas1732700000000 implements MigrationInterface {
  name = 'ReadModelAndReplicas1732700000000';

  async up(runner: QueryRunner): Promise<void> {
    // Maintained by the send and read transactions, so `chat:list` reads a number instead
    // of counting messages. Existing rows start from what their read marker says.
    await runner.query(
      `ALTER TABLE chat_members ADD COLUMN unread_count bigint NOT NULL DEFAULT 0`,
    );
    await runner.query(`
      UPDATE chat_members cm SET unread_count = GREATEST(c.last_seq - cm.last_read_seq, 0)
        FROM chats c WHERE c.id = cm.chat_id`);

    // One row per direction, so "friends of X" (presence) is an index range scan.
    await runner.query(`
      CREATE TABLE friendships (
        user_id uuid NOT NULL,
        friend_id uuid NOT NULL,
        since timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, friend_id)
      )`);

    // Who blocks whom (one row per direction of a block): direct chats are refused while
    // either user blocks the other, also when friends cannot be asked.
    await runner.query(`
      CREATE TABLE blocks (
        user_id uuid NOT NULL,
        blocked_user_id uuid NOT NULL,
        PRIMARY KEY (user_id, blocked_user_id)
      )`);

    await runner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        nickname text NOT NULL,
        display_name text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE users');
    await runner.query('DROP TABLE blocks');
    await runner.query('DROP TABLE friendships');
    await runner.query('ALTER TABLE chat_members DROP COLUMN unread_count');
  }
}
