import { NotFoundException, type CallHandler } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import {
  Metadata,
  type ServerInterceptingCallInterface,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { lastValueFrom, of, throwError } from 'rxjs';
import { DomainError } from '../errors/domain-error';
import { grpcMetricsInterceptor } from './grpc-metrics.interceptor';
import { MetricsService } from './metrics';
import { RequestMetricsInterceptor } from './request-metrics.interceptor';

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

  it('leaves gRPC calls and Kafka records (rpc) to their transports', async () => {
    await run(contextOf('rpc', [{}, new Metadata(), {}]), succeeds());
    await run(contextOf('rpc', [{}, { topic: 'x' }]), succeeds());
    expect(await countsOf(metrics, 'grpc_server_handling_seconds')).toEqual([]);
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

/** What grpc-js hands the call below an interceptor when it starts. */
type InterceptingServerListener = Parameters<ServerInterceptingCallInterface['start']>[0];

describe('grpcMetricsInterceptor', () => {
  const unary = (path: string, streaming = false) =>
    ({ path, requestStream: streaming, responseStream: false }) as ServerMethodDefinition<
      unknown,
      unknown
    >;

  /** The call below the interceptor: records the statuses that reach the caller. */
  function transportCall() {
    const sent: number[] = [];
    let listener: InterceptingServerListener | undefined;
    const call = {
      start: (next: InterceptingServerListener) => (listener = next),
      sendStatus: (status: { code: number }) => sent.push(status.code),
    } as unknown as ServerInterceptingCallInterface;
    return { call, sent, cancel: () => listener?.onCancel() };
  }

  /** One call through the interceptor, answered with `code` (or cancelled first). */
  function handle(metrics: MetricsService, path: string, code: number, cancelled = false) {
    const transport = transportCall();
    const call = grpcMetricsInterceptor(metrics)(unary(path), transport.call);
    call.start({
      onReceiveMetadata: () => {},
      onReceiveMessage: () => {},
      onReceiveHalfClose: () => {},
      onCancel: () => {},
    });
    if (cancelled) transport.cancel();
    call.sendStatus({ code, details: '' });
    return transport.sent;
  }

  it('labels unary API calls by proto service, method and the status name sent', async () => {
    const metrics = new MetricsService('test');
    const path = '/profile.v1.ProfileService/GetProfile';
    const sent = [0, 5, 14, 13].flatMap((code) => handle(metrics, path, code));
    expect(sent).toEqual([0, 5, 14, 13]);
    const series = await countsOf(metrics, 'grpc_server_handling_seconds');
    expect(series).toEqual(
      ['OK', 'NOT_FOUND', 'UNAVAILABLE', 'INTERNAL'].map((code) => ({
        grpc_service: 'ProfileService',
        grpc_method: 'GetProfile',
        grpc_code: code,
        count: 1,
      })),
    );
  });

  it('records a call the client cancelled once, as CANCELLED', async () => {
    const metrics = new MetricsService('test');
    handle(metrics, '/auth.v1.AuthService/Login', 0, true);
    expect(await countsOf(metrics, 'grpc_server_handling_seconds')).toEqual([
      { grpc_service: 'AuthService', grpc_method: 'Login', grpc_code: 'CANCELLED', count: 1 },
    ]);
  });

  it('leaves the infrastructure services and streams out, and passes their status on', async () => {
    const metrics = new MetricsService('test');
    expect(handle(metrics, '/grpc.health.v1.Health/Check', 0)).toEqual([0]);
    const transport = transportCall();
    const stream = grpcMetricsInterceptor(metrics)(
      unary('/chat.v1.ChatService/Watch', true),
      transport.call,
    );
    stream.sendStatus({ code: 1, details: '' });
    expect(transport.sent).toEqual([1]);
    expect(await countsOf(metrics, 'grpc_server_handling_seconds')).toEqual([]);
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
