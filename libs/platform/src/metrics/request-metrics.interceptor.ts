import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { Metadata } from '@grpc/grpc-js';
import type { Request, Response } from 'express';
import type { GraphQLResolveInfo } from 'graphql';
import { Observable, tap } from 'rxjs';
import { errorKindOf, grpcCodeOf, httpStatusOf } from './outcome';
import { MetricsService } from './metrics';

/**
 * Times every request that reaches a handler, whatever the transport, into the matching
 * histogram of {@link MetricsService}:
 * - `http`: route template (never the raw URL), method and status;
 * - `rpc` over gRPC: proto service and method from `@GrpcMethod`, and the status name the
 *   caller receives. Kafka records are also `rpc` but are measured by the event bus's own
 *   metrics (per topic, with retries and dead letters), so they pass through untimed;
 * - `graphql`: the root field (`Query.profile`, `Mutation.updateProfile`) — bounded by the
 *   schema, unlike the client-chosen operation name.
 * Errors are recorded with the status their transport's filter answers, then rethrown.
 *
 * socket.io events are not measured here: Nest applies global interceptors to HTTP, RPC
 * and GraphQL handlers but not to gateways, so `SocketMetricsGateway` measures them
 * on the socket.io server itself.
 */
@Injectable()
export class RequestMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    switch (context.getType<string>()) {
      case 'http':
        return this.http(context, next);
      case 'rpc':
        return context.switchToRpc().getContext() instanceof Metadata
          ? this.grpc(context, next)
          : next.handle();
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

  private grpc(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const patterns = Reflect.getMetadata(PATTERN_METADATA, context.getHandler()) as
      Array<{ service?: string; rpc?: string }> | undefined;
    const pattern = patterns?.[0];
    // ts-proto's decorators register `register` for the proto's `Register`: label with the
    // proto spelling, as gRPC clients and other gRPC metrics do.
    const method = pattern?.rpc ?? context.getHandler().name;
    const stop = this.metrics.grpcDuration.startTimer({
      grpc_service: pattern?.service ?? context.getClass().name,
      grpc_method: method.charAt(0).toUpperCase() + method.slice(1),
    });
    return timed(
      next,
      () => stop({ grpc_code: 'OK' }),
      (error) => stop({ grpc_code: grpcCodeOf(error) }),
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
