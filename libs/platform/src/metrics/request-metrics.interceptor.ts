import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { GraphQLResolveInfo } from 'graphql';
import { Observable, tap } from 'rxjs';
import { errorKindOf, httpStatusOf } from './outcome';
import { MetricsService } from './metrics';

/**
 * Times every HTTP and GraphQL request that reaches a handler into the matching histogram
 * of {@link MetricsService}:
 * - `http`: route template (never the raw URL), method and status;
 * - `graphql`: the root field (`Query.profile`, `Mutation.updateProfile`) — bounded by the
 *   schema, unlike the client-chosen operation name.
 * Errors are recorded with the status their transport's filter answers, then rethrown.
 *
 * A global interceptor of the HTTP application (`MetricsModule`); the other transports
 * are measured closer to the wire, without Nest's interceptor chain: gRPC calls by
 * `grpcMetricsInterceptor`, Kafka records by the event bus's own metrics (per topic,
 * with retries and dead letters), socket.io events by `SocketMetricsGateway` (Nest never
 * applies global interceptors to gateways).
 */
@Injectable()
export class RequestMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    switch (context.getType<string>()) {
      case 'http':
        return this.http(context, next);
      case 'graphql':
        return this.graphql(context, next);
      default:
        return next.handle();
    }
  }

  private http(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
    const stop = this.metrics.httpDuration.startTimer({ method: request.method, route });
    return timed(
      next,
      () => stop({ status: String(http.getResponse<Response>().statusCode) }),
      (error) => stop({ status: String(httpStatusOf(error)) }),
    );
  }

  private graphql(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const info = context.getArgByIndex<GraphQLResolveInfo | undefined>(3);
    // Field resolvers below the root are part of their operation's time, not operations.
    if (!info || info.path.prev !== undefined) return next.handle();
    const stop = this.metrics.graphqlDuration.startTimer({
      operation_type: info.operation.operation,
      operation: info.fieldName,
    });
    return timed(
      next,
      () => stop({ outcome: 'ok' }),
      (error) => stop({ outcome: errorKindOf(error) }),
    );
  }
}

/**
 * The handler's stream with exactly one observation: on its first value, or on completion
 * without a value, or on error (then rethrown untouched for the exception filters).
 */
function timed(
  next: CallHandler,
  onSuccess: () => void,
  onError: (error: unknown) => void,
): Observable<unknown> {
  let recorded = false;
  const once = (record: () => void) => {
    if (recorded) return;
    recorded = true;
    record();
  };
  return next.handle().pipe(
    tap({
      next: () => once(onSuccess),
      complete: () => once(onSuccess),
      error: (error: unknown) => once(() => onError(error)),
    }),
  );
}
