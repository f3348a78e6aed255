import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Group commit of timeline writes (docs/adr/0032): `messenger_flush_timeline` applies a
 * batch of queued sends, edits, deletes and reactions — across chats — in one call, and
 * unread counts are derived from the timeline instead of being kept per member on write.
 */
export class GroupCommit1766100000000 implements MigrationInterface {
  name = 'GroupCommit1766100000000';

  async up(runner: QueryRunner): Promise<void> {
    // Unread counts are derived: `last_seq - last_read_seq` less the events after the
    // marker that are not messages, which this index finds as a short range of the rare
    // non-message events. Nothing else changes for existing rows: every member already has
    // its marker. (`chat_members.unread_count` is no longer written; it stays until no
    // instance of the previous release, which still writes it, runs.)
    await runner.query(`
      CREATE INDEX chat_events_not_message_idx ON chat_events (chat_id, seq)
       WHERE type <> 'message.created'`);

    // A message with its reactions, in the shape of MESSAGE_COLUMNS (message.view.ts).
    await runner.query(`
      CREATE FUNCTION messenger_message_json(p_id uuid) RETURNS jsonb
      LANGUAGE sql STABLE AS $$
        SELECT jsonb_build_object(
                 'id', m.id, 'chat_id', m.chat_id, 'sender_id', m.sender_id, 'seq', m.seq,
                 'text', m.text, 'client_message_id', m.client_message_id,
                 'created_at', m.created_at, 'reply_to_id', m.reply_to_id,
                 'edited_at', m.edited_at, 'deleted_at', m.deleted_at,
                 'reactions',
                 (SELECT COALESCE(jsonb_agg(jsonb_build_object('emoji', g.emoji, 'count', g.n,
                                                                'userIds', g.user_ids)
                                            ORDER BY g.first_at, g.emoji), '[]'::jsonb)
                    FROM (SELECT r.emoji, count(*)::int AS n, min(r.created_at) AS first_at,
                                 array_agg(r.user_id ORDER BY r.created_at, r.user_id) AS user_ids
                            FROM message_reactions r WHERE r.message_id = m.id
                           GROUP BY r.emoji) g))
          FROM messages m WHERE m.id = p_id
      $$`);

    await runner.query(FLUSH_FUNCTION);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP FUNCTION messenger_flush_timeline(jsonb, text, text)');
    await runner.query('DROP FUNCTION messenger_message_json(uuid)');
    await runner.query('DROP INDEX chat_events_not_message_idx');
  }
}

/**
 * `messenger_flush_timeline(entries, occurred_at, producer)`: one statement, one
 * transaction, one round trip for a whole batch. Entries are applied in array order:
 *
 * 1. the batch's chats are locked in id order (two flushes, on any instances, never wait
 *    for each other in a cycle), and their members, roles and `last_seq` read once;
 * 2. each entry is checked under those locks — membership (and a moderator's role for
 *    deletes), a resent `clientMessageId` (stored before, or earlier in this batch), the
 *    message it replies to or changes — and either refused (its outcome says why; the
 *    rest of the batch goes on) or given the chat's next seq;
 * 3. messages, timeline events and one outbox row per event are inserted together, the
 *    chats' `last_seq` and each sender's read marker moved once per chat and sender.
 *
 * Returns one row per entry: `outcome`, the event's seq, the message as it now is (JSON
 * in the shape of MESSAGE_COLUMNS) and, for a stored or changed entry, the chat's
 * members in join order (who to push to, and `memberIds` of `messenger.message.sent.v1`).
 * Any error (a deadlock, a key taken concurrently in another chat) rolls the whole batch
 * back, and the caller retries its entries one by one.
 */
const FLUSH_FUNCTION = `
CREATE FUNCTION messenger_flush_timeline(p_entries jsonb, p_occurred_at text, p_producer text)
RETURNS TABLE (entry int, outcome text, event_seq bigint, message jsonb, member_ids jsonb)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
DECLARE
  e record;
  chat_ids uuid[];     -- the batch's chats, sorted: the lock order
  seqs bigint[];       -- last seq taken, by position in chat_ids
  stored jsonb[] := '{}'; -- by entry: the message a send stored or found (in-batch resends)
  reused_keys jsonb := '{}'; -- sender:clientMessageId -> entry that stored it (resent keys only)
  msg record;
  next_seq bigint;
  change_type text;
  changed boolean;
  now_json jsonb := to_jsonb(now());
  -- What the batch inserts, column by column (one INSERT each at the end).
  m_id uuid[] := '{}'; m_chat uuid[] := '{}'; m_sender uuid[] := '{}'; m_seq bigint[] := '{}';
  m_text text[] := '{}'; m_client text[] := '{}'; m_reply uuid[] := '{}';
  ev_chat uuid[] := '{}'; ev_seq bigint[] := '{}'; ev_type text[] := '{}';
  ev_actor uuid[] := '{}'; ev_message uuid[] := '{}'; ev_emoji text[] := '{}';
  o_id uuid[] := '{}'; o_topic text[] := '{}'; o_key text[] := '{}';
  o_envelope jsonb[] := '{}'; o_headers jsonb[] := '{}';
BEGIN
  SELECT array_agg(DISTINCT (x ->> 'chat')::uuid ORDER BY (x ->> 'chat')::uuid) INTO chat_ids
    FROM jsonb_array_elements(p_entries) x;

  PERFORM 1 FROM chats WHERE id = ANY (chat_ids) ORDER BY id FOR UPDATE;
  SELECT array_agg(c.last_seq ORDER BY u.n) INTO seqs
    FROM unnest(chat_ids) WITH ORDINALITY AS u (id, n) LEFT JOIN chats c ON c.id = u.id;

  -- Everything an entry is checked against, read once under the locks: the writer's role,
  -- the chat's members, a message the sender stored under the same key, the reply.
  FOR e IN
    WITH x AS (
      SELECT (x.n - 1)::int AS n, x.v ->> 'kind' AS kind, (x.v ->> 'chat')::uuid AS chat,
             (x.v ->> 'actor')::uuid AS actor, (x.v ->> 'message')::uuid AS message,
             x.v ->> 'clientMessageId' AS client_id, x.v ->> 'text' AS text,
             (x.v ->> 'replyTo')::uuid AS reply_to, x.v ->> 'emoji' AS emoji,
             (x.v ->> 'eventId')::uuid AS event_id, COALESCE(x.v -> 'headers', '{}') AS headers
        FROM jsonb_array_elements(p_entries) WITH ORDINALITY AS x (v, n)
    ), roster AS (
      SELECT chat_id, jsonb_agg(user_id ORDER BY joined_at, user_id) AS ids
        FROM chat_members WHERE chat_id = ANY (chat_ids) GROUP BY chat_id
    )
    SELECT x.*, array_position(chat_ids, x.chat) AS ci, cm.role, k.kind AS chat_kind,
           roster.ids AS member_ids, d.id AS prior_id, d.chat_id AS prior_chat,
           (x.reply_to IS NULL OR EXISTS (SELECT 1 FROM messages r
                                           WHERE r.id = x.reply_to AND r.chat_id = x.chat)) AS reply_ok,
           CASE WHEN x.kind = 'send'
                THEN count(*) OVER (PARTITION BY x.kind, x.actor, x.client_id) END AS key_uses
      FROM x
      LEFT JOIN chats k ON k.id = x.chat
      LEFT JOIN chat_members cm ON cm.chat_id = x.chat AND cm.user_id = x.actor
      LEFT JOIN roster ON roster.chat_id = x.chat
      LEFT JOIN messages d
        ON x.kind = 'send' AND d.sender_id = x.actor AND d.client_message_id = x.client_id
     ORDER BY x.n
  LOOP
    entry := e.n; event_seq := NULL; message := NULL; member_ids := NULL;
    stored := stored || NULL::jsonb;
    IF e.role IS NULL THEN
      outcome := 'not_member'; RETURN NEXT; CONTINUE;
    END IF;

    IF e.kind = 'send' THEN
      IF e.key_uses > 1 AND reused_keys ? (e.actor::text || ':' || e.client_id) THEN
        -- Sent again within this batch: answered like a resend of what the first stored.
        message := stored[(reused_keys ->> (e.actor::text || ':' || e.client_id))::int + 1];
        outcome := CASE WHEN (message ->> 'chat_id')::uuid = e.chat THEN 'duplicate' ELSE 'reused' END;
        IF outcome = 'reused' THEN message := NULL; END IF;
        RETURN NEXT; CONTINUE;
      END IF;
      IF e.prior_id IS NOT NULL THEN
        IF e.prior_chat = e.chat THEN
          outcome := 'duplicate'; message := messenger_message_json(e.prior_id);
        ELSE
          outcome := 'reused';
        END IF;
      ELSIF NOT e.reply_ok THEN
        outcome := 'reply_not_found';
      ELSE
        next_seq := seqs[e.ci] + 1;
        seqs[e.ci] := next_seq;
        m_id := m_id || e.message; m_chat := m_chat || e.chat; m_sender := m_sender || e.actor;
        m_seq := m_seq || next_seq; m_text := m_text || e.text; m_client := m_client || e.client_id;
        m_reply := m_reply || e.reply_to;
        ev_chat := ev_chat || e.chat; ev_seq := ev_seq || next_seq;
        ev_type := ev_type || 'message.created'::text; ev_actor := ev_actor || e.actor;
        ev_message := ev_message || e.message; ev_emoji := ev_emoji || NULL::text;
        member_ids := e.member_ids;
        o_id := o_id || e.event_id; o_topic := o_topic || 'messenger.message.sent.v1'::text;
        o_key := o_key || e.chat::text; o_headers := o_headers || e.headers;
        o_envelope := o_envelope || jsonb_build_object(
          'id', e.event_id, 'type', 'messenger.message.sent.v1', 'version', 1,
          'occurredAt', p_occurred_at, 'producer', p_producer,
          'payload', jsonb_build_object('messageId', e.message, 'chatId', e.chat,
                                        'senderId', e.actor, 'memberIds', member_ids));
        message := jsonb_build_object(
          'id', e.message, 'chat_id', e.chat, 'sender_id', e.actor, 'seq', next_seq,
          'text', e.text, 'client_message_id', e.client_id, 'created_at', now_json,
          'reply_to_id', e.reply_to, 'edited_at', NULL, 'deleted_at', NULL,
          'reactions', '[]'::jsonb);
        outcome := 'stored'; event_seq := next_seq;
      END IF;
      IF e.key_uses > 1 AND outcome IN ('stored', 'duplicate') THEN
        stored[e.n + 1] := message;
        reused_keys := jsonb_set(reused_keys, ARRAY[e.actor::text || ':' || e.client_id],
                                 to_jsonb(e.n));
      END IF;
      RETURN NEXT; CONTINUE;
    END IF;

    -- A change to an existing message (edit, delete, reaction), read now: an earlier entry
    -- of this batch may have changed it.
    SELECT id, sender_id, text, deleted_at INTO msg FROM messages
     WHERE id = e.message AND chat_id = e.chat;
    IF NOT FOUND THEN
      outcome := 'message_not_found'; RETURN NEXT; CONTINUE;
    END IF;
    changed := false;
    outcome := 'unchanged';
    IF e.kind = 'edit' THEN
      IF msg.sender_id <> e.actor THEN
        outcome := 'forbidden';
      ELSIF msg.deleted_at IS NOT NULL THEN
        outcome := 'message_deleted';
      ELSIF msg.text IS DISTINCT FROM e.text THEN
        UPDATE messages SET text = e.text, edited_at = now() WHERE id = msg.id;
        changed := true; change_type := 'message.edited';
      END IF;
    ELSIF e.kind = 'delete' THEN
      IF msg.sender_id <> e.actor
         AND NOT (e.chat_kind = 'group' AND e.role IN ('owner', 'admin')) THEN
        outcome := 'forbidden';
      ELSIF msg.deleted_at IS NULL THEN
        DELETE FROM message_reactions WHERE message_id = msg.id;
        UPDATE messages SET text = '', deleted_at = now() WHERE id = msg.id;
        changed := true; change_type := 'message.deleted';
      END IF;
    ELSIF e.kind IN ('react_add', 'react_remove') THEN
      IF msg.deleted_at IS NOT NULL THEN
        outcome := 'message_deleted';
      ELSIF e.kind = 'react_add' THEN
        INSERT INTO message_reactions (message_id, user_id, emoji) VALUES (msg.id, e.actor, e.emoji)
        ON CONFLICT DO NOTHING;
        changed := FOUND; change_type := 'reaction.added';
      ELSE
        DELETE FROM message_reactions
         WHERE message_id = msg.id AND user_id = e.actor AND emoji = e.emoji;
        changed := FOUND; change_type := 'reaction.removed';
      END IF;
    ELSE
      RAISE EXCEPTION 'unknown timeline write kind %', e.kind;
    END IF;
    IF outcome IN ('forbidden', 'message_deleted') THEN
      RETURN NEXT; CONTINUE;
    END IF;
    message := messenger_message_json(msg.id);
    IF changed THEN
      next_seq := seqs[e.ci] + 1;
      seqs[e.ci] := next_seq;
      ev_chat := ev_chat || e.chat; ev_seq := ev_seq || next_seq; ev_type := ev_type || change_type;
      ev_actor := ev_actor || e.actor; ev_message := ev_message || msg.id;
      ev_emoji := ev_emoji || CASE WHEN change_type LIKE 'reaction.%' THEN e.emoji END;
      o_id := o_id || e.event_id; o_topic := o_topic || 'messenger.chat.changed.v1'::text;
      o_key := o_key || e.chat::text; o_headers := o_headers || e.headers;
      o_envelope := o_envelope || jsonb_build_object(
        'id', e.event_id, 'type', 'messenger.chat.changed.v1', 'version', 1,
        'occurredAt', p_occurred_at, 'producer', p_producer,
        'payload', jsonb_build_object('chatId', e.chat, 'seq', next_seq, 'type', change_type,
                                      'actorId', e.actor));
      member_ids := e.member_ids;
      outcome := 'changed'; event_seq := next_seq;
    END IF;
    RETURN NEXT;
  END LOOP;

  INSERT INTO messages (id, chat_id, sender_id, seq, text, client_message_id, reply_to_id)
  SELECT * FROM unnest(m_id, m_chat, m_sender, m_seq, m_text, m_client, m_reply);
  INSERT INTO chat_events (chat_id, seq, type, actor_id, message_id, emoji)
  SELECT * FROM unnest(ev_chat, ev_seq, ev_type, ev_actor, ev_message, ev_emoji);
  -- In entry order, so the relay publishes each chat's events in seq order.
  INSERT INTO outbox_events (event_id, topic, key, envelope, headers)
  SELECT * FROM unnest(o_id, o_topic, o_key, o_envelope, o_headers);
  UPDATE chats c SET last_seq = s.seq
    FROM unnest(chat_ids, seqs) AS s (id, seq)
   WHERE c.id = s.id AND c.last_seq <> s.seq;
  -- Sending marks the chat read up to the sender's own (newest) message.
  UPDATE chat_members cm SET last_read_seq = GREATEST(cm.last_read_seq, s.seq)
    FROM (SELECT chat_id, sender_id, max(seq) AS seq
            FROM unnest(m_chat, m_sender, m_seq) AS m (chat_id, sender_id, seq)
           GROUP BY chat_id, sender_id) s
   WHERE cm.chat_id = s.chat_id AND cm.user_id = s.sender_id;
END
$fn$`;
