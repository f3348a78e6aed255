import type { AccessTokenVerifier, AuthenticatedUser } from '@app/platform';
import { bearerToken } from '@app/platform';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  type DocumentNode,
  type FormattedExecutionResult,
  getOperationAST,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import { CloseCode, type Context, type ServerOptions } from 'graphql-ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { formatGraphQLError } from './format-error';
import type { GqlContext } from './gql-context';
import { checkQueryLimits, QUERY_LIMITS, type QueryLimits } from './query-limits';

/** What graphql-ws keeps per connection: the socket, and the user once authenticated. */
export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
  user?: AuthenticatedUser;
}
type WsContext = Context<Record<string, unknown> | undefined, unknown>;

/**
 * The access token of a `connection_init`: browsers cannot set headers on a WebSocket,
 * so it travels in the payload as `Authorization: "Bearer <token>"` or `authToken`.
 */
export function connectionToken(params: Record<string, unknown> | undefined): string | undefined {
  if (!params) return undefined;
  const header = params.Authorization ?? params.authorization;
  if (typeof header === 'string') return bearerToken(header);
  return typeof params.authToken === 'string' && params.authToken ? params.authToken : undefined;
}

/**
 * Nest's type names only some graphql-ws hooks, but @nestjs/graphql hands all of these
 * options to graphql-ws's `useServer`; `onError` is the one hook that sees the errors
 * of an `error` message (the query-limit case of `test/subscriptions.e2e-spec.ts` fails
 * if it stops reaching graphql-ws).
 */
export type GraphqlWsOptions = GraphQLWsSubscriptionsConfig & Pick<ServerOptions, 'onError'>;

/**
 * How {@link graphqlWsOptions} checks and reports operations: the same rules Apollo applies
 * over HTTP, from the same values (see `operationPolicy`).
 */
export interface GraphqlWsPolicy {
  limits?: QueryLimits;
  /**
   * Whether `__schema` and `__type` may be asked (Apollo's `introspection`); off unless
   * said, so a caller that forgets it keeps the schema private.
   */
  introspection?: boolean;
  /** Production: validation errors do not suggest field names (as Apollo's option does over HTTP). */
  hideSchemaDetails?: boolean;
}

/**
 * graphql-ws options for `profileUpdated` and any other subscription:
 * - the connection is authenticated once, at `connection_init`; without a valid token it
 *   is closed with 4403 before any operation, and it is closed with 4403 when the token
 *   expires, so a stolen socket does not outlive its token;
 * - the operation context carries that user (see {@link operationContext});
 * - every operation over the socket (subscriptions, and queries and mutations, which
 *   graphql-ws runs too) passes the same validation — introspection refused where Apollo
 *   refuses it — and the same query limits as over HTTP, since Apollo's rules and plugins
 *   do not see WebSocket traffic; `schema()` is the schema Apollo started with;
 * - every error leaves through {@link formatGraphQLError}, like over HTTP: graphql-ws
 *   knows nothing of Apollo's `formatError` and would otherwise send errors raw, without
 *   `extensions.code` and with internal messages unmasked.
 */
export function graphqlWsOptions(
  verifier: Pick<AccessTokenVerifier, 'verify'>,
  schema: () => GraphQLSchema | undefined,
  { limits = QUERY_LIMITS, introspection = false, hideSchemaDetails = false }: GraphqlWsPolicy = {},
): GraphqlWsOptions {
  const rules = introspection
    ? specifiedRules
    : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  return {
    onConnect: async (ctx: WsContext) => {
      const token = connectionToken(ctx.connectionParams);
      if (!token) return false;
      let user: AuthenticatedUser;
      try {
        user = await verifier.verify(token);
      } catch {
        return false;
      }
      const extra = ctx.extra as WsExtra;
      extra.user = user;
      const socket = extra.socket;
      const expiresInMs = user.expiresAt * 1000 - Date.now();
      const timer = setTimeout(
        () => socket.close(CloseCode.Forbidden, 'Access token expired'),
        Math.max(expiresInMs, 0),
      );
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      return true;
    },
    onSubscribe: (_ctx: WsContext, _id, payload) => {
      const current = schema();
      if (!current) return undefined; // not started yet: graphql-ws validates as usual
      let document: DocumentNode;
      try {
        document = parse(payload.query);
      } catch (error) {
        return [requestError(error as GraphQLError, ApolloServerErrorCode.GRAPHQL_PARSE_FAILED)];
      }
      const errors = validate(current, document, rules);
      if (errors.length > 0) {
        return errors.map((error) =>
          requestError(
            error,
            ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
            hideSchemaDetails ? withoutSuggestions(error.message) : error.message,
          ),
        );
      }
      if (!getOperationAST(document, payload.operationName)) {
        const error = new GraphQLError(
          payload.operationName
            ? `Unknown operation named "${payload.operationName}".`
            : 'Must provide operation name if query contains multiple operations.',
        );
        return [requestError(error, ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE)];
      }
      const limitError = checkQueryLimits(
        current,
        document,
        payload.operationName,
        payload.variables ?? undefined,
        limits,
      );
      if (limitError) return [limitError];
      return {
        schema: current,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
      };
    },
    // Errors of a `next` message: those of resolvers, and a subscription's refusal to
    // start (e.g. a bad argument), which graphql-js reports as a result with errors.
    onNext: (_ctx, _id, _payload, _args, result): FormattedExecutionResult | undefined => {
      if (!result.errors?.length) return undefined;
      const { errors, ...rest } = result;
      return { ...rest, errors: errors.map(formatSubscriptionError) };
    },
    // Errors of an `error` message: the refusals of onSubscribe above, and an error thrown
    // by a subscription's event stream while it runs.
    onError: (_ctx, _id, _payload, errors) => errors.map(formatSubscriptionError),
  };
}

/**
 * One error of a WebSocket operation as a client sees it, by the rules of
 * {@link formatGraphQLError}. Two kinds Apollo would recognise over HTTP are told apart
 * here: a variable graphql-js could not coerce (`BAD_USER_INPUT`, as Apollo does), and an
 * error thrown by an event stream, which graphql-ws wraps without a `path` (so
 * `unwrapResolverError` would not see through it to a domain error).
 */
export function formatSubscriptionError(error: GraphQLError): GraphQLFormattedError {
  if (error.extensions.code === undefined && isBadVariableError(error)) {
    return formatGraphQLError(
      requestError(error, ApolloServerErrorCode.BAD_USER_INPUT).toJSON(),
      error,
    );
  }
  const thrown =
    !error.path && error.originalError && !(error.originalError instanceof GraphQLError)
      ? error.originalError
      : error;
  return formatGraphQLError(error.toJSON(), thrown);
}

/** `error` with an Apollo request-error code (and, optionally, another message). */
function requestError(error: GraphQLError, code: string, message = error.message): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code },
  });
}

/** A variable value graphql-js refused (the same test Apollo applies over HTTP). */
function isBadVariableError(error: GraphQLError): boolean {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const variable = `Variable "$${node.variable.name.value}"`;
  return [' got invalid value ', ' has invalid value', ' of required type ', ' of non-null type ']
    .map((phrase) => variable + phrase)
    .some((prefix) => error.message.startsWith(prefix));
}

/** Drops graphql-js's "Did you mean …?" hint, which names schema fields. */
function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, '');
}

/**
 * The context of one operation. Nest hands the same factory `{ req }` for HTTP and the
 * graphql-ws context (whose `extra` holds the connection's user) for subscriptions.
 */
export function operationContext(source: { req?: GqlContext['req']; extra?: unknown }): GqlContext {
  if (source.extra) return { user: (source.extra as WsExtra).user };
  return { req: source.req };
}
