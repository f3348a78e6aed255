import { Logger } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';
import {
  buildSchema,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  GraphQLError,
  type GraphQLFormattedError,
  parse,
  subscribe,
} from 'graphql';
import type { Context, SubscribePayload } from 'graphql-ws';
import { graphqlWsOptions } from './graphql-ws.options';

const schema = buildSchema(`
  type Query { ok: Boolean }
  type Subscription { watched(id: ID!): String }
`);
const verifier = { verify: jest.fn() };
const ctx = {} as Context<Record<string, unknown> | undefined, unknown>;

/** The hooks graphql-ws calls, as the service configures them. */
function hooks(hideSchemaDetails = false, introspection = true) {
  const options = graphqlWsOptions(verifier, () => schema, { hideSchemaDetails, introspection });
  return {
    onSubscribe: (payload: SubscribePayload) =>
      options.onSubscribe!(ctx, '1', payload) as ExecutionArgs | readonly GraphQLError[],
    /** What the client receives in an `error` message for `errors`. */
    onError: (errors: readonly GraphQLError[]) =>
      options.onError!(ctx, '1', { query: '' }, errors) as GraphQLFormattedError[],
    /** What the client receives in a `next` message for `result` (undefined: unchanged). */
    onNext: (result: ExecutionResult) =>
      options.onNext!(ctx, '1', { query: '' }, {} as ExecutionArgs, result) as
        FormattedExecutionResult | undefined,
  };
}

/** Runs a subscription whose field's subscribe function throws `error`. */
async function refusedWith(error: Error, variables: Record<string, unknown> = { id: '1' }) {
  const result = await subscribe({
    schema,
    document: parse('subscription ($id: ID!) { watched(id: $id) }'),
    variableValues: variables,
    rootValue: {
      watched: () => {
        throw error;
      },
    },
  });
  return result as ExecutionResult;
}

describe('graphqlWsOptions: errors sent over the WebSocket', () => {
  let logged: jest.SpyInstance;
  beforeAll(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterAll(() => logged.mockRestore());

  it('gives a domain error raised when a subscription starts its code and domain code', async () => {
    const result = await refusedWith(
      new DomainError('INVALID_ARGUMENT', ErrorCodes.VALIDATION_FAILED, 'id: must be a UUID'),
    );
    // graphql-js answers a subscription that cannot start with errors and no data.
    expect(hooks().onNext(result)).toEqual({
      errors: [
        {
          message: 'id: must be a UUID',
          locations: [{ line: 1, column: 27 }],
          path: ['watched'],
          extensions: { code: 'BAD_USER_INPUT', errorCode: ErrorCodes.VALIDATION_FAILED },
        },
      ],
    });
  });

  it('masks an unexpected error (no internals, no stack) and logs it', async () => {
    const result = await refusedWith(new Error('connect ECONNREFUSED 10.0.0.7:6379'));
    const sent = hooks().onNext(result);
    expect(sent?.errors).toEqual([
      expect.objectContaining({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR', errorCode: ErrorCodes.INTERNAL },
      }),
    ]);
    expect(JSON.stringify(sent)).not.toMatch(/ECONNREFUSED|stack/);
    expect(logged).toHaveBeenCalled();
  });

  it('reports a variable graphql-js cannot coerce as BAD_USER_INPUT', async () => {
    const result = await refusedWith(new Error('unreached'), { id: { an: 'object' } });
    expect(hooks().onNext(result)).toEqual({
      errors: [
        expect.objectContaining({
          message: expect.stringMatching(/^Variable "\$id" got invalid value/) as unknown,
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ],
    });
  });

  it('leaves results without errors to graphql-ws', () => {
    expect(hooks().onNext({ data: { watched: 'x' } })).toBeUndefined();
  });

  it('sees through graphql-ws’s wrapping of an error thrown by an event stream', () => {
    // graphql-ws wraps such an error without a path before calling onError.
    const thrown = new DomainError('NOT_FOUND', ErrorCodes.PROFILE_NOT_FOUND, 'Profile not found');
    const wrapped = new GraphQLError(thrown.message, { originalError: thrown });
    expect(hooks().onError([wrapped])).toEqual([
      {
        message: 'Profile not found',
        extensions: { code: 'NOT_FOUND', errorCode: ErrorCodes.PROFILE_NOT_FOUND },
      },
    ]);
  });

  it.each([
    ['a syntax error', 'GRAPHQL_PARSE_FAILED', 'subscription {', null],
    ['an unknown field', 'GRAPHQL_VALIDATION_FAILED', 'subscription { nope }', null],
    [
      'an unknown operation name',
      'OPERATION_RESOLUTION_FAILURE',
      'subscription A { watched(id: "1") }',
      'B',
    ],
  ])('refuses %s before running it, with code %s', (_name, code, query, operationName) => {
    const { onSubscribe, onError } = hooks();
    const refused = onSubscribe({ query, operationName });
    expect(Array.isArray(refused)).toBe(true);
    const [sent] = onError(refused as readonly GraphQLError[]);
    expect(sent.extensions).toEqual({ code });
  });

  it('suggests no field names in production', () => {
    const query = 'subscription { watche(id: "1") }';
    const message = (hide: boolean) => {
      const { onSubscribe, onError } = hooks(hide);
      const [sent] = onError(onSubscribe({ query }) as readonly GraphQLError[]);
      return sent.message;
    };
    expect(message(false)).toMatch(/Did you mean "watched"\?/);
    expect(message(true)).toBe('Cannot query field "watche" on type "Subscription".');
  });

  it.each(['{ __schema { types { name } } }', '{ __type(name: "Query") { name } }'])(
    'refuses the introspection %s where the policy turns it off, as Apollo does over HTTP',
    (query) => {
      const closed = hooks(true, false);
      const [sent] = closed.onError(closed.onSubscribe({ query }) as readonly GraphQLError[]);
      expect(sent).toMatchObject({
        message: expect.stringMatching(/introspection has been disabled/) as unknown,
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
      // Allowed where the policy allows it (development and tests).
      expect(Array.isArray(hooks(false, true).onSubscribe({ query }))).toBe(false);
    },
  );

  it('keeps introspection closed when the policy does not say', () => {
    const options = graphqlWsOptions(verifier, () => schema);
    const refused = options.onSubscribe!(ctx, '1', {
      query: '{ __schema { queryType { name } } }',
    });
    expect(Array.isArray(refused)).toBe(true);
  });

  it('holds introspection to the query limits', () => {
    const aliased = Array.from({ length: 51 }, (_, i) => `s${i}: __schema { queryType { name } }`);
    const { onSubscribe, onError } = hooks();
    const refused = onSubscribe({ query: `{ ${aliased.join(' ')} }` });
    expect(onError(refused as readonly GraphQLError[])[0].extensions).toMatchObject({
      code: 'QUERY_TOO_MANY_ALIASES',
    });
  });
});
