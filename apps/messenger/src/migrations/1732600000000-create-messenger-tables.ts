import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Chats, their members and their messages. */
export class CreateMessengerTables1732600000000 implements MigrationInterface {
  name = 'CreateMessengerTables1732600000000';

  async up(runner: QueryRunner): Promise<void> {
    // `direct_key` (the two member ids, sorted and joined) makes "one direct chat per pair"
    // a database guarantee rather than a race between two clients creating it at once.
    // `last_seq` is the per-chat message counter; senders take its row lock to number
    // messages without gaps or duplicates.
    await runner.query(`
      CREATE TABLE chats (
        id uuid PRIMARY KEY,
        kind varchar(16) NOT NULL,
        title varchar(100),
        created_by uuid NOT NULL,
        direct_key varchar(80),
        last_seq bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT chats_kind_check CHECK (kind IN ('direct', 'group')),
        CONSTRAINT chats_direct_key_key UNIQUE (direct_key),
        CONSTRAINT chats_direct_key_check CHECK ((kind = 'direct') = (direct_key IS NOT NULL))
      )`);

    await runner.query(`
      CREATE TABLE chat_members (
        chat_id uuid NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        joined_at timestamptz NOT NULL DEFAULT now(),
        last_read_seq bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (chat_id, user_id)
      )`);
    // "My chats" is the hot query of every connection.
    await runner.query(`CREATE INDEX chat_members_user_idx ON chat_members (user_id)`);

    // (chat_id, seq) is both the ordering guarantee and the keyset index of history pages;
    // (sender_id, client_message_id) makes a resent message a no-op.
    await runner.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY,
        chat_id uuid NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
        sender_id uuid NOT NULL,
        seq bigint NOT NULL,
        text text NOT NULL,
        client_message_id varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT messages_chat_seq_key UNIQUE (chat_id, seq),
        CONSTRAINT messages_sender_client_id_key UNIQUE (sender_id, client_message_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE messages');
    await runner.query('DROP TABLE chat_members');
    await runner.query('DROP TABLE chats');
  }
}
