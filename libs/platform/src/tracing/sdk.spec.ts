import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing, startTracingFromEnv } from './sdk';
import { EVENT_TRACE_HEADERS, eventTraceHeaders, restoreEventTraceContext } from './trace-context';

describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor(exporter);
  const sdk = startTracing({ service: 'auth', spanProcessors: [processor] });

  afterAll(() => sdk.shutdown());

  it('records the active trace in outbox headers, and nothing outside a trace', async () => {
    expect(eventTraceHeaders()).toEqual({});
    const tracer = trace.getTracer('spec');
    const { headers, traceId, spanId } = tracer.startActiveSpan('Register', (span) => {
      const result = { headers: eventTraceHeaders(), ...span.spanContext() };
      span.end();
      return result;
    });
    expect(Object.keys(headers)).toEqual([EVENT_TRACE_HEADERS.traceparent]);
    expect(headers[EVENT_TRACE_HEADERS.traceparent]).toBe(`00-${traceId}-${spanId}-01`);
    // Export waits for the resource's detected attributes.
    await processor.forceFlush();
    expect(exporter.getFinishedSpans().map((s) => s.resource.attributes['service.name'])).toEqual([
      'auth',
    ]);
  });

  it("makes a record's recorded context the one its consumer continues", () => {
    const recorded = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    // What the relay sends: the outbox headers, plus the relay's own send span that the
    // kafkajs instrumentation injected as traceparent before calling the producer hook.
    const headers: Record<string, string> = {
      [EVENT_TRACE_HEADERS.traceparent]: recorded,
      traceparent: '00-11111111111111111111111111111111-2222222222222222-01',
      'event-id': 'e1',
    };
    restoreEventTraceContext(headers);
    const consumed = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers));
    expect(consumed).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
    });
    expect(headers['event-id']).toBe('e1');
  });

  it('leaves records without a recorded context to the instrumentation', () => {
    const headers = { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' };
    restoreEventTraceContext(headers);
    expect(headers.traceparent).toBe('00-11111111111111111111111111111111-2222222222222222-01');
    expect(context.active()).toBe(ROOT_CONTEXT);
  });

  it('starts from the environment only when an OTLP endpoint is set', () => {
    expect(startTracingFromEnv({}, '/srv/dist/apps/auth/src/main.js')).toBeUndefined();
    expect(
      startTracingFromEnv(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SDK_DISABLED: 'true' },
        '/srv/dist/apps/auth/src/main.js',
      ),
    ).toBeUndefined();
    // Already running (above): the same SDK, not a second one.
    expect(
      startTracingFromEnv(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' },
        '/srv/dist/apps/auth/src/main.js',
      ),
    ).toBe(sdk);
  });
});
