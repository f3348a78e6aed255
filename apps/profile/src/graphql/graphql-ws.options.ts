import type { AccessTokenVerifier, AuthenticatedUser } from '@app/platform';
import { bearerToken } from '@app/platform';
import { type GraphQLError, type GraphQLSchema, parse, validate } from 'graphql';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import { CloseCode, type Context } from 'graphql-ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
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
 * graphql-ws options for `profileUpdated` and any other subscription:
 * - the connection is authenticated once, at `connection_init`; without a valid token it
 *   is closed with 4403 before any operation, and it is closed with 4403 when the token
 *   expires, so a stolen socket does not outlive its token;
 * - the operation context carries that user (see {@link operationContext});
 * - subscriptions pass the same query limits as HTTP operations (Apollo's plugins do
 *   not see WebSocket traffic); `schema()` is the schema Apollo started with.
 */
export function graphqlWsOptions(
  verifier: Pick<AccessTokenVerifier, 'verify'>,
  schema: () => GraphQLSchema | undefined,
  limits: QueryLimits = QUERY_LIMITS,
): GraphQLWsSubscriptionsConfig {
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
      let document;
      try {
        document = parse(payload.query);
      } catch (error) {
        return [error as GraphQLError];
      }
      const errors = validate(current, document);
      if (errors.length > 0) return [...errors];
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
  };
}

/**
 * The context of one operation. Nest hands the same factory `{ req }` for HTTP and the
 * graphql-ws context (whose `extra` holds the connection's user) for subscriptions.
 */
export function operationContext(source: { req?: GqlContext['req']; extra?: unknown }): GqlContext {
  if (source.extra) return { user: (source.extra as WsExtra).user };
  return { req: source.req };
}
