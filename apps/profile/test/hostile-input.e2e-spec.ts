import { ErrorCodes } from '@app/contracts';
import { getIntrospectionQuery } from 'graphql';
import { type Client, createClient, type FormattedExecutionResult } from 'graphql-ws';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import {
  type AuthGrpcClient,
  authClient,
  eventually,
  registerUser,
  type TestUser,
} from '../../../test/e2e/support/clients';
import {
  type ExtraService,
  spareGrpcPort,
  sparePort,
  startExtraService,
} from '../../../test/e2e/support/extra-service';
import { serviceEnv, stack } from '../../../test/e2e/support/stack';
import { graphql, type GraphQLResponse, postGraphQL } from './support/graphql';

type Extensions = NonNullable<
  NonNullable<GraphQLResponse<unknown>['errors']>[number]['extensions']
>;

type WsResult = FormattedExecutionResult<Record<string, unknown>, unknown>;

/** How one graphql-ws operation ended: the results it sent, or the `error` message. */
interface WsOutcome {
  results: WsResult[];
  error?: Array<{ message: string; extensions?: Extensions }>;
}

/** 300 aliased `__schema` selections: the 1.4 MB answer of the report. */
const ALIASED_SCHEMAS = `{ ${Array.from({ length: 300 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }`;

/**
 * What an attacker sends at profile's GraphQL API, and what it must answer: the schema
 * stays private in production on both transports, introspection is no way around the
 * query limits, forged cursors are the client's mistake, and profile text cannot carry
 * the invisible characters that make one user look like another.
 */
describe('profile refuses hostile input (real HTTP, WebSocket, PostgreSQL)', () => {
  let auth: AuthGrpcClient;
  let mallory: TestUser;
  const clients: Client[] = [];

  /** Runs one operation over graphql-ws against `base` as a front end would. */
  const overWebSocket = (base: string, token: string, query: string): Promise<WsOutcome> => {
    const client = createClient({
      url: `${base.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    clients.push(client);
    const results: WsResult[] = [];
    return new Promise((resolve) => {
      client.subscribe(
        { query },
        {
          next: (result) => results.push(result),
          error: (error) => resolve({ results, error: error as WsOutcome['error'] }),
          complete: () => resolve({ results }),
        },
      );
    });
  };

  beforeAll(async () => {
    auth = authClient();
    mallory = await registerUser(auth, 'mallory');
    await eventually(async () => {
      const me = await graphql<{ me: { id: string } }>('{ me { id } }', {
        token: mallory.accessToken,
      });
      return me.data?.me.id;
    });
  });
  afterAll(() => {
    clients.forEach((client) => void client.dispose());
    auth?.close();
  });

  describe('introspection in production (NODE_ENV=production)', () => {
    let production: ExtraService;
    beforeAll(async () => {
      production = await startExtraService('profile', sparePort(20), {
        NODE_ENV: 'production',
        GRPC_PORT: String(spareGrpcPort(5)),
        SHUTDOWN_GRACE_MS: '0',
        // A group of its own: joining and leaving the stack's group would make profile's
        // consumer rebalance and stall later specs' events; no spans to flush at exit.
        KAFKA_GROUP_ID: `${serviceEnv('profile').KAFKA_GROUP_ID}-production`,
        OTEL_SDK_DISABLED: 'true',
      });
    }, 90_000);
    afterAll(() => production?.stop());

    it('refuses __schema and __type over graphql-ws as over HTTP, and runs nothing', async () => {
      for (const query of [
        '{ __schema { types { name } } }',
        '{ __type(name: "Profile") { name } }',
      ]) {
        const ws = await overWebSocket(production.url, mallory.accessToken, query);
        expect(ws.results).toEqual([]);
        expect(ws.error?.length).toBeGreaterThan(0);
        for (const error of ws.error ?? []) {
          expect(error).toMatchObject({
            message: expect.stringMatching(/introspection/i) as unknown,
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          });
        }

        const http = await postGraphQL({ query }, mallory.accessToken, production.url);
        expect(http.status).toBe(400);
        expect(http.body.data).toBeUndefined();
        expect(http.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      }
    });

    it('still serves ordinary operations over graphql-ws (the refusal is not a blanket one)', async () => {
      const ws = await overWebSocket(
        production.url,
        mallory.accessToken,
        '{ me { id __typename } }',
      );
      expect(ws).toEqual({
        results: [{ data: { me: { id: mallory.userId, __typename: 'Profile' } } }],
      });
    });
  });

  describe('introspection counts toward the query limits (both transports)', () => {
    it('refuses 300 aliased __schema selections over HTTP and graphql-ws', async () => {
      const http = await postGraphQL({ query: ALIASED_SCHEMAS }, mallory.accessToken);
      expect(http.status).toBe(400);
      expect(http.body.data).toBeUndefined();
      expect(http.body.errors?.[0]?.extensions).toMatchObject({
        code: 'QUERY_TOO_MANY_ALIASES',
        limit: 50,
        actual: 300,
      });

      const ws = await overWebSocket(stack.profile.http, mallory.accessToken, ALIASED_SCHEMAS);
      expect(ws.results).toEqual([]);
      expect(ws.error?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_MANY_ALIASES' });
    });

    it('weighs __schema by the types it lists: three whole-schema dumps are too costly', async () => {
      // The fragments of the query IDEs send, selected three times under aliases.
      const standard = getIntrospectionQuery();
      const fragments = standard.slice(standard.indexOf('fragment FullType'));
      const dumps = `{ ${['a', 'b', 'c'].map((alias) => `${alias}: __schema { types { ...FullType } }`).join(' ')} }\n${fragments}`;
      const http = await postGraphQL({ query: dumps }, mallory.accessToken);
      expect(http.status).toBe(400);
      expect(http.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      const ws = await overWebSocket(stack.profile.http, mallory.accessToken, dumps);
      expect(ws.error?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    });

    it('counts __typename toward depth like any field', async () => {
      const level = (inner: string) => `friends { edges { node { ${inner} } } }`;
      // Ten levels of real fields, the eleventh an introspection field.
      const query = `{ me { ${level(level(level('__typename')))} } }`;
      const http = await postGraphQL({ query }, mallory.accessToken);
      expect(http.status).toBe(400);
      expect(http.body.errors?.[0]?.extensions).toMatchObject({
        code: 'QUERY_TOO_DEEP',
        actual: 11,
      });
    });

    it('still answers the introspection query IDEs and code generators send (outside production)', async () => {
      const http = await postGraphQL({ query: getIntrospectionQuery() }, mallory.accessToken);
      expect(http.status).toBe(200);
      expect(http.body.errors).toBeUndefined();
      const ws = await overWebSocket(
        stack.profile.http,
        mallory.accessToken,
        getIntrospectionQuery(),
      );
      expect(ws.error).toBeUndefined();
      expect(ws.results[0]?.errors).toBeUndefined();
    });
  });

  describe('friends(after:) cursors', () => {
    const FRIENDS =
      'query ($after: String) { me { friends(first: 5, after: $after) { edges { cursor } } } }';
    const cursorOf = (position: unknown) =>
      Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');

    it.each([
      ['a date past PostgreSQL’s range', ['+275760-09-13T00:00:00.000Z', randomUUID()]],
      ['a date before PostgreSQL’s range', ['-271821-04-20T00:00:00.000Z', randomUUID()]],
      ['a date that is not one', ['2025-02-30T00:00:00.000Z', randomUUID()]],
    ])(
      'answers a well-formed cursor with %s as BAD_USER_INPUT, not a 500',
      async (_case, position) => {
        const response = await graphql(FRIENDS, {
          token: mallory.accessToken,
          variables: { after: cursorOf(position) },
        });
        expect(response.errors).toEqual([
          expect.objectContaining({
            path: ['me', 'friends'],
            extensions: {
              code: 'BAD_USER_INPUT',
              errorCode: ErrorCodes.VALIDATION_FAILED,
              details: [{ field: 'after', message: expect.any(String) as unknown }],
            },
          }),
        ]);
      },
    );

    it('still accepts a cursor it issued', async () => {
      const response = await graphql(FRIENDS, {
        token: mallory.accessToken,
        variables: { after: cursorOf([new Date().toISOString(), randomUUID()]) },
      });
      expect(response).toEqual({ data: { me: { friends: { edges: [] } } } });
    });
  });

  describe('display name and bio', () => {
    const UPDATE = `mutation ($input: UpdateProfileInput!) {
      updateProfile(input: $input) { displayName bio } }`;
    const ownProfile = async () =>
      (
        await graphql<{ me: { displayName: string | null; bio: string | null } }>(
          '{ me { displayName bio } }',
          { token: mallory.accessToken },
        )
      ).data?.me;

    it.each([
      ['a right-to-left override (U+202E)', 'displayName', 'admin\u202Egnp.exe'],
      ['a zero-width space (U+200B)', 'displayName', 'ad\u200Bmin'],
      ['a left-to-right isolate (U+2066)', 'displayName', '\u2066bob\u2069'],
      ['a Hangul filler that renders blank (U+3164)', 'displayName', '\u3164'],
      ['a byte-order mark (U+FEFF)', 'bio', 'hel\uFEFFlo'],
      ['a zero-width space (U+200B)', 'bio', 'official\u200B account'],
      ['a right-to-left override (U+202E)', 'bio', 'line\n\u202Eenil'],
    ])('refuses %s in the %s with the validation error', async (_what, field, text) => {
      const input = { [field]: text };
      const before = await ownProfile();
      const response = await graphql(UPDATE, { token: mallory.accessToken, variables: { input } });
      expect(response.data).toBeNull();
      expect(response.errors?.[0]?.extensions).toEqual({
        code: 'BAD_USER_INPUT',
        errorCode: ErrorCodes.VALIDATION_FAILED,
        details: [{ field, message: expect.stringMatching(/invisible|control/) as unknown }],
      });
      expect(await ownProfile()).toEqual(before);
    });

    it('keeps names in any script and emoji sequences', async () => {
      // Woman technologist and rainbow flag: emoji held together by U+200D and U+FE0F.
      const input = {
        displayName:
          'Zo\u00EB \u03A9\u03BC\u03AD\u03B3\u03B1 \u674E\u96F7 \u{1F469}\u200D\u{1F4BB}\u{1F3F3}\uFE0F\u200D\u{1F308}',
        bio: 'Hi!\n\t\u0645\u0631\u062D\u0628\u0627 \u{1F44B}\u{1F3FD}',
      };
      const response = await graphql(UPDATE, { token: mallory.accessToken, variables: { input } });
      expect(response).toEqual({ data: { updateProfile: input } });
    });
  });
});
