import { NotFoundException, type CallHandler } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { Metadata } from '@grpc/grpc-js';
import { lastValueFrom, of, throwError } from 'rxjs';
import { DomainError } from '../errors/domain-error';
import { MetricsService } from './metrics';
import { RequestMetricsInterceptor } from './request-metrics.interceptor';

class ProfilesGrpcController {
  // As ts-proto's generated decorators register it: the proto method name lower-cased.
  @GrpcMethod('ProfileService', 'getProfile')
  getProfile(): void {}
}

class AnyController {
  handle(): void {}
}

type ContextType = 'http' | 'rpc' | 'graphql' | 'ws';

function contextOf(
  type: ContextType,
  args: unknown[],
  handler: (...args: never[]) => unknown = AnyController.prototype.handle,
  cls: new () => unknown = AnyController,
): ExecutionContextHost {
  const context = new ExecutionContextHost(args, cls, handler);
  context.setType(type);
  return context;
}

const succeeds = (value: unknown = {}): CallHandler => ({ handle: () => of(value) });
const fails = (error: unknown): CallHandler => ({ handle: () => throwError(() => error) });
const notFound = () => new DomainError('NOT_FOUND', 'PROFILE.NOT_FOUND', 'no such profile');

/** The labels of every observation (histogram `_count` series) of a metric; the `service` default label is added only when serialised. */
async function countsOf(
  metrics: MetricsService,
  name: string,
): Promise<Array<Record<string, string | number>>> {
  const metric = await metrics.registry.getSingleMetric(name)!.get();
  // Histogram values carry the series name (`…_bucket`, `…_sum`, `…_count`).
  const values = metric.values as Array<{
    metricName?: string;
    labels: Record<string, string | number>;
    value: number;
  }>;
  return values
    .filter((v) => (v.metricName ?? '').endsWith('_count') && v.value > 0)
    .map((v) => ({ ...v.labels, count: v.value }));
}

describe('RequestMetricsInterceptor', () => {
  let metrics: MetricsService;
  let interceptor: RequestMetricsInterceptor;

  beforeEach(() => {
    metrics = new MetricsService('test');
    interceptor = new RequestMetricsInterceptor(metrics);
  });

  const run = (context: ExecutionContextHost, next: CallHandler) =>
    lastValueFrom(interceptor.intercept(context, next)).catch((error: unknown) => error);

  describe('http', () => {
    const request = { method: 'GET', route: { path: '/v1/friends/:id' } };

    it('labels by route template and response status, never by raw URL', async () => {
      await run(contextOf('http', [request, { statusCode: 200 }]), succeeds());
      expect(await countsOf(metrics, 'http_server_request_duration_seconds')).toEqual([
        { method: 'GET', route: '/v1/friends/:id', status: '200', count: 1 },
      ]);
    });

    it('records the status the error filter answers: domain kind, HTTP exception, 500', async () => {
      const context = () => contextOf('http', [request, { statusCode: 200 }]);
      await run(context(), fails(notFound()));
      await run(context(), fails(new NotFoundException()));
      await run(context(), fails(new Error('boom')));
      const statuses = (await countsOf(metrics, 'http_server_request_duration_seconds')).map(
        (v) => [v.status, v.count],
      );
      expect(statuses).toEqual(
        expect.arrayContaining([
          ['404', 2],
          ['500', 1],
        ]),
      );
    });

    it('rethrows the error untouched for the exception filter', async () => {
      const error = notFound();
      await expect(run(contextOf('http', [request, {}]), fails(error))).resolves.toBe(error);
    });
  });

  describe('gRPC', () => {
    const grpc = () =>
      contextOf(
        'rpc',
        [{}, new Metadata(), {}],
        ProfilesGrpcController.prototype.getProfile,
        ProfilesGrpcController,
      );

    it('labels by proto service and method (proto spelling) with the status the caller receives', async () => {
      await run(grpc(), succeeds());
      await run(grpc(), fails(notFound()));
      await run(grpc(), fails(new RpcException({ code: 14, message: 'down' })));
      await run(grpc(), fails(new Error('boom')));
      const series = await countsOf(metrics, 'grpc_server_handling_seconds');
      expect(series).toEqual(
        expect.arrayContaining(
          ['OK', 'NOT_FOUND', 'UNAVAILABLE', 'INTERNAL'].map((code) => ({
            grpc_service: 'ProfileService',
            grpc_method: 'GetProfile',
            grpc_code: code,
            count: 1,
          })),
        ),
      );
      expect(series).toHaveLength(4);
    });

    it('leaves Kafka records (rpc without gRPC metadata) to the event-bus metrics', async () => {
      await run(contextOf('rpc', [{}, { topic: 'x' }]), succeeds());
      expect(await countsOf(metrics, 'grpc_server_handling_seconds')).toEqual([]);
    });
  });

  describe('GraphQL', () => {
    const info = (fieldName: string, nested = false) => ({
      fieldName,
      operation: { operation: 'query' },
      path: { key: fieldName, prev: nested ? { key: 'parent' } : undefined },
    });

    it('labels root fields by operation type and field, with the error kind as outcome', async () => {
      await run(contextOf('graphql', [{}, {}, {}, info('profile')]), succeeds());
      await run(contextOf('graphql', [{}, {}, {}, info('profile')]), fails(notFound()));
      expect(await countsOf(metrics, 'graphql_operation_duration_seconds')).toEqual(
        expect.arrayContaining([
          {
            operation_type: 'query',
            operation: 'profile',
            outcome: 'ok',
            count: 1,
          },
          {
            operation_type: 'query',
            operation: 'profile',
            outcome: 'NOT_FOUND',
            count: 1,
          },
        ]),
      );
    });

    it('does not count nested field resolvers as operations', async () => {
      await run(contextOf('graphql', [{}, {}, {}, info('friends', true)]), succeeds());
      expect(await countsOf(metrics, 'graphql_operation_duration_seconds')).toEqual([]);
    });
  });

  it('leaves socket.io handlers to the socket-level metrics', async () => {
    await run(contextOf('ws', [{}, {}]), succeeds());
    const text = await metrics.registry.getSingleMetricAsString('socketio_event_duration_seconds');
    expect(text).not.toContain('_count{');
  });

  it('observes a handler once even when its stream emits several values', async () => {
    const many: CallHandler = { handle: () => of(1, 2, 3) };
    await run(
      contextOf('http', [{ method: 'GET', route: { path: '/x' } }, { statusCode: 200 }]),
      many,
    );
    const [series] = await countsOf(metrics, 'http_server_request_duration_seconds');
    expect(series.count).toBe(1);
  });
});

describe('MetricsService', () => {
  it('exports runtime memory and event-loop lag from the prom-client defaults', async () => {
    const text = await new MetricsService('test').registry.metrics();
    for (const name of [
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} gauge`);
    }
  });

  it('reads the socket connection gauge from the registered counter at scrape time', async () => {
    const metrics = new MetricsService('test');
    let sockets = 3;
    metrics.countSocketsWith(() => sockets);
    expect(await metrics.registry.getSingleMetricAsString('socketio_connected_sockets')).toContain(
      'socketio_connected_sockets{service="test"} 3',
    );
    sockets = 1;
    expect(await metrics.registry.getSingleMetricAsString('socketio_connected_sockets')).toContain(
      'socketio_connected_sockets{service="test"} 1',
    );
  });
});
