/**
 * The HTTP contract around the domain: Idempotency-Key on POSTs, ETag / If-None-Match on
 * GETs, and keyset pages that cost the same however deep the client has paged.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { authClient, AuthGrpcClient, TestUser } from '../../../test/e2e/support/clients';
import { api, bearer, friendsDb, registerKnownUser, storedPair } from './support';

describe('friends: idempotency, conditional GETs, keyset cost', () => {
  let auth: AuthGrpcClient;
  let db: Pool;
  const user = (prefix: string) => registerKnownUser(auth, db, prefix);
  const ask = (from: TestUser, to: TestUser, key?: string) => {
    const call = api().post('/v1/friends/requests').set(bearer(from));
    return (key ? call.set('Idempotency-Key', key) : call).send({ userId: to.userId });
  };

  beforeAll(async () => {
    auth = authClient();
    db = await friendsDb();
  });

  afterAll(async () => {
    await db?.end();
    auth?.close();
  });

  describe('Idempotency-Key', () => {
    it('replays the first answer for a retry and changes nothing twice', async () => {
      const [ada, bo] = [await user('ada'), await user('bo')];
      const key = randomUUID();

      const first = await ask(ada, bo, key);
      expect(first.status).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();

      const retry = await ask(ada, bo, key);
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);

      // Without the key the same request is a second request, refused as such.
      const noKey = await ask(ada, bo);
      expect(noKey.status).toBe(409);
      expect(noKey.body.code).toBe('FRIENDS.ALREADY_PENDING');

      const { events } = await storedPair(db, ada.userId, bo.userId);
      expect(events.map((e) => e.type)).toEqual(['requested']);

      const acceptKey = randomUUID();
      const accepted = await api()
        .post(`/v1/friends/requests/${first.body.id}/accept`)
        .set(bearer(bo))
        .set('Idempotency-Key', acceptKey);
      const acceptedAgain = await api()
        .post(`/v1/friends/requests/${first.body.id}/accept`)
        .set(bearer(bo))
        .set('Idempotency-Key', acceptKey);
      expect([accepted.status, acceptedAgain.status]).toEqual([200, 200]);
      expect(acceptedAgain.body).toEqual(accepted.body);
      expect((await storedPair(db, ada.userId, bo.userId)).events).toHaveLength(2);
    });

    it('refuses the same key with a different request, and keeps keys per user', async () => {
      const [cy, di, ed] = [await user('cy'), await user('di'), await user('ed')];
      const key = randomUUID();
      expect((await ask(cy, di, key)).status).toBe(201);

      const other = await ask(cy, ed, key);
      expect(other.status).toBe(422);
      expect(other.body).toMatchObject({
        statusCode: 422,
        code: 'FRIENDS.IDEMPOTENCY_KEY_REUSED',
      });
      expect((await storedPair(db, cy.userId, ed.userId)).events).toEqual([]);

      // Another user's identical key is their own.
      const theirs = await ask(ed, di, key);
      expect(theirs.status).toBe(201);
      expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    });

    it('runs two simultaneous requests with one key once', async () => {
      const [fi, gu] = [await user('fi'), await user('gu')];
      const key = randomUUID();
      const answers = await Promise.all([
        api()
          .post('/v1/blocks')
          .set(bearer(fi))
          .set('Idempotency-Key', key)
          .send({ userId: gu.userId }),
        api()
          .post('/v1/blocks')
          .set(bearer(fi))
          .set('Idempotency-Key', key)
          .send({ userId: gu.userId }),
      ]);
      expect(answers.map((a) => a.status)).toEqual([201, 201]);
      expect(answers[0].body).toEqual(answers[1].body);
      expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(1);
      expect((await storedPair(db, fi.userId, gu.userId)).events.map((e) => e.type)).toEqual([
        'blocked',
      ]);
    });

    it('does not store refusals: a retry runs again', async () => {
      const ho = await user('ho');
      const key = randomUUID();
      for (let attempt = 0; attempt < 2; attempt++) {
        const self = await api()
          .post('/v1/blocks')
          .set(bearer(ho))
          .set('Idempotency-Key', key)
          .send({ userId: ho.userId });
        expect(self.status).toBe(400);
        expect(self.body.code).toBe('FRIENDS.SELF_BLOCK');
      }
    });

    it('refuses a malformed key', async () => {
      const [io, ju] = [await user('io'), await user('ju')];
      const response = await ask(io, ju, 'x'.repeat(256));
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('COMMON.VALIDATION_FAILED');
    });
  });

  describe('ETag / If-None-Match', () => {
    it('answers 304 while the list is unchanged and 200 with a new ETag after a change', async () => {
      const [ka, lu] = [await user('ka'), await user('lu')];
      const first = await api().get('/v1/friends/requests?direction=incoming').set(bearer(lu));
      expect(first.status).toBe(200);
      const etag = first.headers.etag;
      expect(etag).toMatch(/^"/);
      expect(first.headers['cache-control']).toBe('private, no-cache');

      const same = await api()
        .get('/v1/friends/requests?direction=incoming')
        .set(bearer(lu))
        .set('If-None-Match', etag);
      expect(same.status).toBe(304);
      expect(same.text).toBeFalsy();

      expect((await ask(ka, lu)).status).toBe(201);
      const changed = await api()
        .get('/v1/friends/requests?direction=incoming')
        .set(bearer(lu))
        .set('If-None-Match', etag);
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
      expect(changed.body.items).toHaveLength(1);
    });
  });

  describe('keyset pagination', () => {
    const FRIENDS = 3000;
    let owner: TestUser;
    /** The friend ids in list order (newest first). */
    let expected: string[];

    beforeAll(async () => {
      owner = await user('many');
      // Projection rows written directly: this measures reads, not 3000 accepts.
      const { rows } = await db.query<{ id: string }>(
        `WITH fresh AS (
           INSERT INTO users (id) SELECT gen_random_uuid() FROM generate_series(1, $1) RETURNING id
         ), numbered AS (
           SELECT id, row_number() OVER () AS n FROM fresh
         ), mine AS (
           INSERT INTO friendships (user_id, friend_id, created_at)
           SELECT $2::uuid, id, timestamptz '2025-01-01' + n * interval '1 second' FROM numbered
           RETURNING friend_id, created_at
         )
         INSERT INTO friendships (user_id, friend_id, created_at)
         SELECT friend_id, $2::uuid, created_at FROM mine RETURNING user_id AS id`,
        [FRIENDS, owner.userId],
      );
      expect(rows).toHaveLength(FRIENDS);
      await db.query('ANALYZE friendships');
      const ordered = await db.query<{ friend_id: string }>(
        'SELECT friend_id FROM friendships WHERE user_id = $1 ORDER BY created_at DESC, friend_id DESC',
        [owner.userId],
      );
      expected = ordered.rows.map((r) => r.friend_id);
    });

    it('walks the list page by page without gaps or repeats, limit capped', async () => {
      const tooBig = await api().get('/v1/friends?limit=101').set(bearer(owner));
      expect(tooBig.status).toBe(400);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await api()
          .get('/v1/friends')
          .query(cursor ? { limit: 100, cursor } : { limit: 100 })
          .set(bearer(owner));
        expect(page.status).toBe(200);
        seen.push(...(page.body.items as { userId: string }[]).map((f) => f.userId));
        cursor = page.body.nextCursor as string | null;
      } while (cursor);
      expect(seen).toEqual(expected);
    });

    it('refuses a well-formed cursor out of the database range as 400, on every list', async () => {
      // A time JavaScript's Date holds and PostgreSQL's timestamptz cannot: it answered 500
      // ("timestamp out of range") once the query ran. And one past four-digit years.
      const caller = await user('cursor');
      const lists = [
        '/v1/friends',
        '/v1/blocks',
        '/v1/friends/requests?direction=incoming',
        '/v1/friends/requests?direction=outgoing',
      ];
      for (const iso of ['-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z']) {
        const cursor = Buffer.from(JSON.stringify([iso, randomUUID()])).toString('base64url');
        for (const list of lists) {
          const response = await api().get(list).query({ cursor }).set(bearer(caller));
          expect({ list, iso, status: response.status, body: response.body as unknown }).toEqual({
            list,
            iso,
            status: 400,
            body: expect.objectContaining({
              statusCode: 400,
              code: 'COMMON.VALIDATION_FAILED',
              message: expect.any(String),
            }),
          });
        }
      }
    });

    it('reads limit + 1 index entries on the first page and on a deep one alike', async () => {
      // The statement FriendshipsRepository.listPage issues (limit 3, plus one to know if
      // there is a next page) for page 1 and for page 1000, whose cursor is friend 2997.
      const plan = async (after?: { createdAt: Date; id: string }) => {
        const params: unknown[] = [owner.userId, 4];
        let where = 'f.user_id = $1';
        if (after) {
          where += ' AND (f.created_at, f.friend_id) < ($3, $4)';
          params.push(after.createdAt, after.id);
        }
        const { rows } = await db.query<{ 'QUERY PLAN': unknown }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) SELECT f.friend_id, f.created_at FROM friendships f
           WHERE ${where} ORDER BY f.created_at DESC, f.friend_id DESC LIMIT $2`,
          params,
        );
        return JSON.stringify(rows[0]['QUERY PLAN']);
      };
      const after = async (position: number) => {
        const id = expected[position - 1];
        const { rows } = await db.query<{ created_at: Date }>(
          'SELECT created_at FROM friendships WHERE user_id = $1 AND friend_id = $2',
          [owner.userId, id],
        );
        return { createdAt: rows[0].created_at, id };
      };

      // Page 1, page 500 (after friend 1497) and page 1000 (after friend 2997).
      for (const text of [
        await plan(),
        await plan(await after(1497)),
        await plan(await after(2997)),
      ]) {
        expect(text).toContain('"Index Name":"friendships_list_idx"');
        // No node of the plan touches more rows than the page needs: no offset to skip over.
        const touched = [...text.matchAll(/"Actual Rows":(\d+)/g)].map((m) => Number(m[1]));
        expect(Math.max(...touched)).toBeLessThanOrEqual(4);
      }
    });
  });
});
