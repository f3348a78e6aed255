import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Friendships become event-sourced: each pair of users is an aggregate whose events are
 * appended to `friendship_events`; `friendship_pairs` holds its current state and version;
 * `friend_requests`, `friendships` and the new `blocks` are read projections, written in
 * the same transaction as the events.
 *
 * - `(aggregate_id, version)` is the primary key of the event store: the optimistic
 *   concurrency check. Two commands decided on the same version cannot both append.
 * - Pairs reference both users ON DELETE CASCADE, and events their pair, so erasing a user
 *   erases their history too, not just the projections.
 * - Requests gain the status `cancelled` (withdrawn by the sender, or voided by a block).
 * - Rows written before this migration have no history to rebuild them from; nothing was
 *   released, so development data is cleared rather than given invented events.
 */
export class EventSourcedPairs1732600000000 implements MigrationInterface {
  name = 'EventSourcedPairs1732600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('DELETE FROM friendships');
    await runner.query('DELETE FROM friend_requests');
    await runner.query(`
      CREATE TABLE friendship_pairs (
        id text PRIMARY KEY,
        user_low uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        user_high uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        version integer NOT NULL CONSTRAINT friendship_pairs_version_check CHECK (version > 0),
        state jsonb NOT NULL,
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT friendship_pairs_ordered CHECK (user_low < user_high),
        CONSTRAINT friendship_pairs_id_check CHECK (id = user_low::text || ':' || user_high::text)
      )`);
    // The cascade from users scans by each foreign key.
    await runner.query(`CREATE INDEX friendship_pairs_user_low_idx ON friendship_pairs (user_low)`);
    await runner.query(
      `CREATE INDEX friendship_pairs_user_high_idx ON friendship_pairs (user_high)`,
    );
    await runner.query(`
      CREATE TABLE friendship_events (
        aggregate_id text NOT NULL REFERENCES friendship_pairs (id) ON DELETE CASCADE,
        version integer NOT NULL CONSTRAINT friendship_events_version_check CHECK (version > 0),
        type varchar(32) NOT NULL CONSTRAINT friendship_events_type_check CHECK (type IN
          ('requested', 'accepted', 'declined', 'cancelled', 'removed', 'blocked', 'unblocked')),
        data jsonb NOT NULL,
        occurred_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (aggregate_id, version)
      )`);
    await runner.query('ALTER TABLE friend_requests DROP CONSTRAINT friend_requests_status_check');
    await runner.query(`
      ALTER TABLE friend_requests ADD CONSTRAINT friend_requests_status_check
        CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled'))`);
    await runner.query(`
      CREATE TABLE blocks (
        blocker_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        blocked_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (blocker_id, blocked_id),
        CONSTRAINT blocks_not_self CHECK (blocker_id <> blocked_id)
      )`);
    await runner.query(
      'CREATE INDEX blocks_list_idx ON blocks (blocker_id, created_at DESC, blocked_id DESC)',
    );
    await runner.query('CREATE INDEX blocks_blocked_idx ON blocks (blocked_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE blocks');
    await runner.query(`DELETE FROM friend_requests WHERE status = 'cancelled'`);
    await runner.query('ALTER TABLE friend_requests DROP CONSTRAINT friend_requests_status_check');
    await runner.query(`
      ALTER TABLE friend_requests ADD CONSTRAINT friend_requests_status_check
        CHECK (status IN ('pending', 'accepted', 'declined'))`);
    await runner.query('DROP TABLE friendship_events');
    await runner.query('DROP TABLE friendship_pairs');
  }
}
