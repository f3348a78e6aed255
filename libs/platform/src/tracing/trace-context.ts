import { context, propagation, type TextMapSetter } from '@opentelemetry/api';

/**
 * Outbox headers that carry the trace context of the request that recorded an event. The
 * relay publishes from its own poll loop, where the kafkajs instrumentation would make
 * each record a child of the relay's send; a producer hook puts this context back in
 * `traceparent`, so the consumers' spans join the trace of the request that caused them.
 */
export const EVENT_TRACE_HEADERS = {
  traceparent: 'event-traceparent',
  tracestate: 'event-tracestate',
} as const;

const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    const header = EVENT_TRACE_HEADERS[key as keyof typeof EVENT_TRACE_HEADERS];
    if (header) carrier[header] = value;
  },
};

/**
 * The active trace context as outbox headers (`event-traceparent`, `event-tracestate`);
 * empty when tracing is off or nothing is being traced.
 */
export function eventTraceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers, recordSetter);
  return headers;
}

type RecordHeaders = Record<string, string | Buffer | Array<string | Buffer> | undefined>;

/** Makes the context recorded with an event the one its consumers continue. */
export function restoreEventTraceContext(headers: RecordHeaders | undefined): void {
  if (!headers) return;
  for (const [standard, recorded] of Object.entries(EVENT_TRACE_HEADERS)) {
    const value = headers[recorded];
    if (value !== undefined) headers[standard] = value;
  }
}
