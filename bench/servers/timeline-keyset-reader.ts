// Baseline of case I (catch-up): a bare keyset read of a chat's timeline from PostgreSQL
// with a raw `pg` client — the rows `sync` answers with (each event with its message and
// the message's reactions, messenger's MESSAGE_COLUMNS), page by page, `seq > last` in the
// primary key's order — and nothing else: no socket, no membership check, no shaping.
// Runs as its own process (`fork`ed with an IPC channel), so its CPU can be read apart;
// the parent imports this module's types only (`import type`), never the module itself.
// Orders: `{type: 'read', id, chatId, afterSeq, limit}` → `{type: 'done', id, result:
// {seqs, pages}}` (the seqs read, in order); it exits when the parent goes away.
// Env: DATABASE_URL.

import pg from 'pg';

const client = new pg.Client({ connectionString: process.env.DATABASE_URL });

/** The parent's order (case I); typed as it is sent. */
export interface ReadOrder {
  type: 'read';
  id: number;
  chatId: string;
  afterSeq: number;
  limit: number;
}

export interface ReadResult {
  seqs: number[];
  pages: number;
}

/** What the reader sends its parent. */
export type ReaderMessage =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: ReadResult }
  | { type: 'failed'; id: number; error: string };

const answer = (message: ReaderMessage) => process.send?.(message);

const PAGE = `
  SELECT e.seq, e.type, e.actor_id, e.at, e.message_id, e.user_id, e.role, e.emoji, e.title,
         m.id, m.chat_id, m.sender_id, m.text, m.client_message_id, m.created_at,
         m.reply_to_id, m.edited_at, m.deleted_at,
         (SELECT COALESCE(json_agg(json_build_object('emoji', g.emoji, 'count', g.n, 'userIds', g.user_ids)
                                   ORDER BY g.first_at, g.emoji), '[]'::json)
            FROM (SELECT r.emoji, count(*)::int AS n, min(r.created_at) AS first_at,
                         array_agg(r.user_id ORDER BY r.created_at, r.user_id) AS user_ids
                    FROM message_reactions r WHERE r.message_id = m.id GROUP BY r.emoji) g) AS reactions
    FROM chat_events e LEFT JOIN messages m ON m.id = e.message_id
   WHERE e.chat_id = $1 AND e.seq > $2
   ORDER BY e.seq
   LIMIT $3`;

/**
 * Every page after `afterSeq`, `limit` rows each, until the last; like `sync`, a page
 * reads one row more than it keeps, which says whether another follows.
 */
async function read({ chatId, afterSeq, limit }: ReadOrder): Promise<ReadResult> {
  const seqs: number[] = [];
  let pages = 0;
  let last = afterSeq;
  for (;;) {
    const { rows } = await client.query<{ seq: string }>({
      name: 'page',
      text: PAGE,
      values: [chatId, last, limit + 1],
    });
    pages++;
    const page = rows.slice(0, limit);
    for (const row of page) seqs.push(Number(row.seq));
    if (rows.length <= limit) return { seqs, pages };
    last = Number(page[page.length - 1].seq);
  }
}

async function main() {
  await client.connect();
  process.on('message', (message: unknown) => {
    const order = message as ReadOrder | null;
    if (order?.type !== 'read') return;
    read(order).then(
      (result) => answer({ type: 'done', id: order.id, result }),
      (error: unknown) => answer({ type: 'failed', id: order.id, error: String(error) }),
    );
  });
  process.on('disconnect', () => {
    void client.end().finally(() => process.exit(0));
  });
  answer({ type: 'ready' });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
