import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { SocketIoInstrumentation } from '@opentelemetry/instrumentation-socket.io';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { restoreEventTraceContext } from './trace-context';

/**
 * Tracing with the OpenTelemetry SDK. Deliberately free of Nest and of the rest of
 * `@app/platform`: it has to start before the libraries it instruments are loaded. Loaded
 * only when tracing is switched on (register.ts), so the SDK costs nothing otherwise.
 */

/** Routes whose requests are polled by probes and Prometheus: not worth a trace each. */
const UNTRACED_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

export interface TracingOptions {
  /** `service.name` of every span. */
  service: string;
  /** OTLP/HTTP base URL (the exporter appends `/v1/traces`); spans are exported there. */
  endpoint?: string;
  /** Span processors replacing the OTLP export, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
}

let sdk: NodeSDK | undefined;

/**
 * Starts the SDK with the instrumentations of our stack: HTTP and Express, gRPC (context
 * in metadata), GraphQL, PostgreSQL, Redis, socket.io and Kafka (context in record
 * headers). No Nest instrumentation: the OpenTelemetry one patches Nest up to 11 only
 * (ADR 0033). W3C `traceparent` propagation. Idempotent; returns the running SDK.
 */
export function startTracing(options: TracingOptions): NodeSDK {
  if (sdk) return sdk;
  const spanProcessors = options.spanProcessors ?? [
    new BatchSpanProcessor(
      new OTLPTraceExporter(
        options.endpoint ? { url: `${options.endpoint.replace(/\/$/, '')}/v1/traces` } : {},
      ),
    ),
  ];
  sdk = new NodeSDK({
    serviceName: options.service,
    spanProcessors,
    // Metrics are Prometheus' job (/metrics) and logs go to stdout: traces only.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? ''),
      }),
      new ExpressInstrumentation(),
      new GrpcInstrumentation(),
      new GraphQLInstrumentation({ mergeItems: true, ignoreTrivialResolveSpans: true }),
      // Only inside a traced operation: the outbox relay's polling would otherwise be a
      // stream of one-span traces.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new SocketIoInstrumentation(),
      new KafkaJsInstrumentation({
        producerHook: (_span, { message }) => restoreEventTraceContext(message.headers),
      }),
    ],
  });
  sdk.start();
  return sdk;
}

/**
 * Starts tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (and `OTEL_SDK_DISABLED` is
 * not `true`). The service name is `OTEL_SERVICE_NAME`, else the app the process runs
 * (`…/apps/<name>/src/main.js`).
 */
export function startTracingFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  entry: string | undefined = process.argv[1],
): NodeSDK | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED === 'true') return undefined;
  const app = /[\\/]apps[\\/]([^\\/]+)[\\/]src[\\/]main\.[jt]s$/.exec(entry ?? '')?.[1];
  return startTracing({ service: env.OTEL_SERVICE_NAME ?? app ?? 'messenger-backend', endpoint });
}
