import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** prom-client defaults that repeat a labelled gauge's sum under a counter's suffix. */
const REDUNDANT_DEFAULT_TOTALS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Latency buckets shared by every request-shaped metric, so dashboards compare like with like. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The service's Prometheus registry: process/runtime defaults (CPU, resident memory, heap,
 * event-loop lag, GC) plus RED metrics for each transport. A histogram's `_count` is the
 * request rate, its `status`/`grpc_code`/`outcome` label splits out the errors, its
 * buckets give the duration quantiles. Every label takes values from a closed set — route
 * templates, proto method names, schema fields, event names, status codes — never an id.
 * Other modules add their own collectors to {@link registry}.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly grpcDuration: Histogram<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  readonly graphqlDuration: Histogram<'operation_type' | 'operation' | 'outcome'>;
  readonly socketEventDuration: Histogram<'event' | 'outcome'>;
  readonly socketConnections: Gauge;
  private countSockets: () => number = () => 0;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    // prom-client also exports each per-type gauge's sum as a gauge named `_total`, a suffix
    // Prometheus reserves for counters (`promtool check metrics` refuses it). The per-type
    // gauges stay; their total is `sum without (type) (nodejs_active_handles)` in PromQL.
    for (const name of REDUNDANT_DEFAULT_TOTALS) this.registry.removeSingleMetric(name);
    const registers = [this.registry];
    this.httpDuration = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP requests, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.grpcDuration = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Duration of unary gRPC calls handled, by proto service, method and status name',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.graphqlDuration = new Histogram({
      name: 'graphql_operation_duration_seconds',
      help:
        'Duration of GraphQL root fields (query/mutation/subscription), by type, field and ' +
        'outcome (ok or the error kind)',
      labelNames: ['operation_type', 'operation', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.socketEventDuration = new Histogram({
      name: 'socketio_event_duration_seconds',
      help: 'Duration of socket.io client events handled, by event and outcome (ok or the error kind)',
      labelNames: ['event', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    // Read from the socket.io server when scraped, so it cannot drift the way an inc/dec
    // pair can when a connection handler throws.
    const countSockets = () => this.countSockets();
    this.socketConnections = new Gauge({
      name: 'socketio_connected_sockets',
      help: 'socket.io connections currently held by this instance (authenticated sockets)',
      registers,
      collect() {
        this.set(countSockets());
      },
    });
  }

  /** Where {@link socketConnections} reads its value from (the socket.io server). */
  countSocketsWith(count: () => number): void {
    this.countSockets = count;
  }
}

/** `GET /metrics` in the Prometheus text format. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
