import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the GraphQL API needs beyond plain profiles:
 * - `profiles.email`, copied from `auth.user.registered.v1`, shown to its owner only;
 * - `friendships`, profile's own read model of friends' confirmed friendships (two rows
 *   per friendship, one per direction, so "friends of X" is one index range);
 * - trigram GIN indexes, so `searchUsers` (prefix and fuzzy match on nickname and
 *   display name) never scans the whole table.
 */
export class FriendshipsSearchEmail1732600000000 implements MigrationInterface {
  name = 'FriendshipsSearchEmail1732600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE profiles ADD COLUMN email varchar(320)`);
    // Millisecond precision: the keyset cursor round-trips through a JavaScript Date.
    await runner.query(`
      CREATE TABLE friendships (
        user_id uuid NOT NULL,
        friend_id uuid NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, friend_id)
      )`);
    await runner.query(
      `CREATE INDEX friendships_user_recent_idx ON friendships (user_id, created_at DESC, friend_id DESC)`,
    );
    await runner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await runner.query(
      `CREATE INDEX profiles_nickname_trgm_idx ON profiles USING gin (lower(nickname) gin_trgm_ops)`,
    );
    await runner.query(
      `CREATE INDEX profiles_display_name_trgm_idx ON profiles USING gin (lower(display_name) gin_trgm_ops)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX profiles_display_name_trgm_idx');
    await runner.query('DROP INDEX profiles_nickname_trgm_idx');
    await runner.query('DROP TABLE friendships');
    await runner.query('ALTER TABLE profiles DROP COLUMN email');
  }
}
