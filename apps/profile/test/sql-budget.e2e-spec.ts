/**
 * A "medium" spec: profile's GraphQL module in-process against the real PostgreSQL of the
 * e2e stack (`profile_test*`, migrated by the running service), counting every SQL
 * statement TypeORM sends. It proves the DataLoaders keep the number of queries fixed
 * however many profiles and friends a response holds, and that search is served by the
 * trigram indexes, not a sequential scan. Kafka, Redis and token checks are stubbed here:
 * they are not what this spec measures (graphql-api.e2e-spec covers them for real).
 */
import { Global, INestApplication, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { Test } from '@nestjs/testing';
import { EventPublisher, OutboxErasure, VersionGate } from '@app/kafka';
import { AccessTokenVerifier, DatabaseModule, HealthModule } from '@app/platform';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { serviceEnv } from '../../../test/e2e/support/stack';
import { graphqlOptions } from '../src/graphql/graphql.options';
import { ProfileUpdates } from '../src/live/profile-updates';
import { PROFILE_ENTITIES, PROFILE_MIGRATIONS } from '../src/profile.module';
import { ProfilesModule } from '../src/profiles/profiles.module';

/** Any bearer token is accepted as the user id it spells. */
const verifier = {
  verify: (token: string) =>
    Promise.resolve({ userId: token, email: '', expiresAt: Date.now() / 1000 + 600 }),
};

@Global()
@Module({
  providers: [
    { provide: EventPublisher, useValue: { publish: () => Promise.resolve() } },
    { provide: AccessTokenVerifier, useValue: verifier },
    VersionGate,
    OutboxErasure,
  ],
  exports: [EventPublisher, AccessTokenVerifier, VersionGate, OutboxErasure],
})
class StubsModule {}

const SEARCH_WITH_FRIENDS = `query ($q: String!, $n: Int!, $f: Int!) {
  searchUsers(query: $q, first: $n) {
    edges { node { id friendsCount friends(first: $f) { edges { node { id nickname } } } } }
  } }`;

interface SearchResult {
  searchUsers: {
    edges: Array<{
      node: {
        id: string;
        friendsCount: number;
        friends: { edges: Array<{ node: { id: string } }> };
      };
    }>;
  };
}

describe('profile SQL budget (in-process, real PostgreSQL)', () => {
  let app: INestApplication;
  let db: DataSource;
  const statements: Array<{ query: string; parameters?: unknown[] }> = [];
  const caller = randomUUID();

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        StubsModule,
        HealthModule.forRoot({ shutdownGraceMs: 0 }),
        DatabaseModule.forRoot({
          url: serviceEnv('profile').DATABASE_URL,
          entities: PROFILE_ENTITIES,
          migrations: PROFILE_MIGRATIONS,
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>(graphqlOptions({ env: 'test' }, verifier)),
        ProfilesModule,
      ],
    })
      .overrideProvider(ProfileUpdates)
      .useValue({ publish: () => Promise.resolve(), subscribe: () => undefined })
      .compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
    db = app.get(DataSource);
    db.subscribers.push({
      beforeQuery: (event) => {
        statements.push({ query: event.query, parameters: event.parameters as unknown[] });
      },
    });
  });

  afterAll(() => app.close());

  /** Seeds `users` profiles named `<prefix>_<i>`, each with `friends` friends. */
  async function seed(prefix: string, users: number, friends: number): Promise<void> {
    const ids = Array.from({ length: users + friends }, () => randomUUID());
    await db.query(
      `INSERT INTO profiles (id, nickname)
       SELECT id, CASE WHEN n <= $2 THEN $3 || '_' || n ELSE 'pal' || substr(md5(id::text), 1, 12) END
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
      [ids, users, prefix],
    );
    await db.query(
      `INSERT INTO friendships (user_id, friend_id)
       SELECT u, f FROM unnest($1::uuid[]) u, unnest($2::uuid[]) f
       UNION ALL SELECT f, u FROM unnest($1::uuid[]) u, unnest($2::uuid[]) f`,
      [ids.slice(0, users), ids.slice(users)],
    );
  }

  /** Runs the query and returns its result with the SQL statements it cost. */
  async function measure(prefix: string, users: number, friends: number) {
    statements.length = 0;
    const response = await request(app.getHttpServer())
      .post('/graphql')
      .set('authorization', `Bearer ${caller}`)
      .send({ query: SEARCH_WITH_FRIENDS, variables: { q: prefix, n: users, f: friends } });
    expect(response.body).not.toHaveProperty('errors');
    return { data: (response.body as { data: SearchResult }).data, sql: [...statements] };
  }

  it('answers 50 profiles with 20 friends each in as many queries as 5 with 2', async () => {
    const big = `big${randomUUID().slice(0, 6)}`;
    const small = `sml${randomUUID().slice(0, 6)}`;
    await seed(big, 50, 20);
    await seed(small, 5, 2);

    const large = await measure(big, 50, 20);
    expect(large.data.searchUsers.edges).toHaveLength(50);
    for (const { node } of large.data.searchUsers.edges) {
      expect(node.friendsCount).toBe(20);
      expect(node.friends.edges).toHaveLength(20);
    }
    const tiny = await measure(small, 5, 2);
    expect(tiny.data.searchUsers.edges).toHaveLength(5);

    // One search, one batch of counts, one batch of friend pages.
    expect(large.sql).toHaveLength(3);
    expect(tiny.sql).toHaveLength(large.sql.length);
  });

  it('searches through the trigram indexes, never a sequential scan', async () => {
    // Enough rows that a sequential scan would be the planner's choice without an index.
    // Names are random so that no probe below shares trigrams with every row (a search
    // that matches the whole table is rightly answered by a sequential scan).
    await db.query(
      `INSERT INTO profiles (id, nickname, display_name)
       SELECT gen_random_uuid(), substr(md5(random()::text), 1, 16), md5(random()::text)
       FROM generate_series(1, 20000) n`,
    );
    // As autovacuum would: fresh statistics, and the GIN pending list merged into the
    // index (until then the planner rightly prices the index scans high).
    await db.query('VACUUM ANALYZE profiles');

    for (const query of ['sml', 'pal0', 'qzwxv']) {
      statements.length = 0;
      await request(app.getHttpServer())
        .post('/graphql')
        .set('authorization', `Bearer ${caller}`)
        .send({ query: `{ searchUsers(query: "${query}") { edges { cursor } } }` })
        .expect(200);
      const [search] = statements;
      const [{ 'QUERY PLAN': plan }] = await db.query<Array<{ 'QUERY PLAN': unknown }>>(
        `EXPLAIN (FORMAT JSON) ${search.query}`,
        search.parameters,
      );
      const text = JSON.stringify(plan);
      expect(text).not.toContain('"Seq Scan"');
      expect(text).toContain('profiles_nickname_trgm_idx');
      expect(text).toContain('profiles_display_name_trgm_idx');
    }
  });
});
