import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Less work per flushed write (docs/adr/0039), nothing else changed:
 *
 * - `messages` and `chat_events` lose their foreign keys to `chats`. Each cost a lookup
 *   and a row lock of the chat (`FOR KEY SHARE`) per inserted row, after the flush
 *   function had already locked that chat `FOR UPDATE` and found its members — about a
 *   tenth of the database's work per send. Nothing deletes a chat, so their
 *   `ON DELETE CASCADE` never ran; a chat's existence is checked where its rows are written
 *   (the flush function, and the membership writers, which lock the chat row first).
 * - `messenger_flush_timeline` looks rows up by index whatever the planner's statistics
 *   say. PL/pgSQL keeps a connection's plans and, after five calls, settles on a generic
 *   plan; one made while `messages` or `chat_members` was small hashes a full scan of it
 *   — cheapest then — and goes on scanning the whole table on every flush as it grows,
 *   until an ANALYZE invalidates the plan (bench A2 saw one scan of `messages` per flush).
 *   Every statement of the function joins a batch of at most a few hundred keys, for
 *   which index probes are right at any table size.
 */
export class LeanFlush1766200000000 implements MigrationInterface {
  name = 'LeanFlush1766200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE messages DROP CONSTRAINT messages_chat_id_fkey');
    await runner.query('ALTER TABLE chat_events DROP CONSTRAINT chat_events_chat_id_fkey');
    await runner.query(`
      ALTER FUNCTION messenger_flush_timeline(jsonb, text, text)
        SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER FUNCTION messenger_flush_timeline(jsonb, text, text) RESET ALL');
    await runner.query(`
      ALTER TABLE chat_events ADD CONSTRAINT chat_events_chat_id_fkey
        FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE`);
    await runner.query(`
      ALTER TABLE messages ADD CONSTRAINT messages_chat_id_fkey
        FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE`);
  }
}
