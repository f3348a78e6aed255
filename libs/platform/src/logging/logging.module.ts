import { DynamicModule, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { shutdownTracing } from '../tracing/register';

/** Query parameters that carry credentials (OAuth `code`, tokens some clients put in URLs). */
const SECRET_QUERY_PARAMS = ['code', 'token', 'access_token', 'refresh_token', 'id_token'];

/** Paths that must never reach a log line: credentials and tokens wherever they appear. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  // The internal callers' shared secret (auth's internal-only routes).
  'req.headers["x-internal-token"]',
  'res.headers["set-cookie"]',
  ...SECRET_QUERY_PARAMS.map((param) => `req.query.${param}`),
  '*.password',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.token',
];

const CENSOR = '[redacted]';
const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

export interface LoggingModuleOptions {
  service: string;
  level: string;
  /** Where log lines go; stdout when absent. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

/**
 * The pino-http options of every service: JSON lines with the service name, a request id
 * (the caller's `x-request-id` when well-formed), the active trace and span ids, and
 * secrets redacted — in headers, bodies logged by handlers and the request URL.
 */
export function pinoHttpOptions(options: LoggingModuleOptions): Options<IncomingMessage> {
  return {
    level: options.level,
    base: { service: options.service },
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
    // Joins a log line to its trace in Jaeger; empty when tracing is off.
    mixin: () => {
      const span = trace.getActiveSpan()?.spanContext();
      return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
    serializers: {
      // The URL repeats the query string that `req.query` redaction already covers.
      req: (req: { url?: string }) => ({ ...req, url: redactUrl(req.url) }),
    },
    genReqId: (req: IncomingMessage) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming)
        ? incoming
        : randomUUID();
    },
    autoLogging: { ignore: (req) => QUIET_ROUTES.has(req.url ?? '') },
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
  };
}

/** `url` with the values of {@link SECRET_QUERY_PARAMS} censored. */
export function redactUrl(url: string | undefined): string | undefined {
  const start = url?.indexOf('?') ?? -1;
  if (url === undefined || start < 0) return url;
  const params = new URLSearchParams(url.slice(start + 1));
  let changed = false;
  for (const param of SECRET_QUERY_PARAMS) {
    if (params.has(param)) {
      params.set(param, CENSOR);
      changed = true;
    }
  }
  return changed ? `${url.slice(0, start)}?${params.toString()}` : url;
}

/**
 * Flushes buffered spans when the app shuts down (after Nest's own shutdown hooks have
 * drained requests). Lives here because every service imports LoggingModule; tracing
 * itself starts before Nest does (tracing/register.ts).
 */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    // An unreachable collector loses these spans either way; it must not fail the
    // shutdown (hooks after this one would not run, and the exit code would say failure).
    await shutdownTracing().catch(() => undefined);
  }
}

/** Structured JSON logs (pino) with a request id, the trace id and secrets redacted. */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingModuleOptions): DynamicModule {
    const http = pinoHttpOptions(options);
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: options.destination ? [http, options.destination] : http,
        }),
      ],
      providers: [TracingShutdown],
      exports: [LoggerModule],
    };
  }
}
