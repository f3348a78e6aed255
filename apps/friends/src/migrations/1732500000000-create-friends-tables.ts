import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The user directory, friend requests and friendships.
 *
 * - Timestamps are `timestamptz(3)`: millisecond precision round-trips exactly through a JS
 *   `Date`, which keyset cursors (created_at, id) depend on.
 * - Requests and friendships reference the directory with ON DELETE CASCADE, so erasing a
 *   user (`auth.user.deleted.v1`) erases everything that mentions them in one statement.
 * - One pending request per unordered pair, whoever sent it: a partial unique index on
 *   (least, greatest) is the backstop behind the service's per-pair lock.
 * - A friendship is stored in both directions so "my friends" is a single index range scan.
 */
export class CreateFriendsTables1732500000000 implements MigrationInterface {
  name = 'CreateFriendsTables1732500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE friend_requests (
        id uuid PRIMARY KEY,
        from_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        to_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        status varchar(16) NOT NULL DEFAULT 'pending'
          CONSTRAINT friend_requests_status_check CHECK (status IN ('pending', 'accepted', 'declined')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT friend_requests_not_self CHECK (from_user_id <> to_user_id)
      )`);
    await runner.query(`
      CREATE UNIQUE INDEX friend_requests_one_pending_per_pair
        ON friend_requests (least(from_user_id, to_user_id), greatest(from_user_id, to_user_id))
        WHERE status = 'pending'`);
    await runner.query(`
      CREATE INDEX friend_requests_incoming_idx
        ON friend_requests (to_user_id, created_at DESC, id DESC) WHERE status = 'pending'`);
    await runner.query(`
      CREATE INDEX friend_requests_outgoing_idx
        ON friend_requests (from_user_id, created_at DESC, id DESC) WHERE status = 'pending'`);
    // The cascades above scan by each foreign key, whatever the status.
    await runner.query(
      `CREATE INDEX friend_requests_from_user_idx ON friend_requests (from_user_id)`,
    );
    await runner.query(`CREATE INDEX friend_requests_to_user_idx ON friend_requests (to_user_id)`);
    await runner.query(`
      CREATE TABLE friendships (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        friend_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, friend_id),
        CONSTRAINT friendships_not_self CHECK (user_id <> friend_id)
      )`);
    await runner.query(`
      CREATE INDEX friendships_list_idx ON friendships (user_id, created_at DESC, friend_id DESC)`);
    await runner.query(`CREATE INDEX friendships_friend_idx ON friendships (friend_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE friendships');
    await runner.query('DROP TABLE friend_requests');
    await runner.query('DROP TABLE users');
  }
}
