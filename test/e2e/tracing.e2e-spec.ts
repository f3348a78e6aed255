/**
 * Distributed tracing across the running services: the spec listens where the stack
 * exports spans (OTLP/HTTP, an in-process receiver) and registers a user. One trace must
 * then hold auth's gRPC Register, profile's ReserveNickname (context in gRPC metadata)
 * and the consumers of the UserRegistered event in friends and messenger (context in
 * Kafka headers, carried through the outbox) — three services and more, one trace id.
 * A service's log lines name the trace they were written in.
 */
import { Topics } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { authClient, eventually, registerUser, type AuthGrpcClient } from './support/clients';
import { E2E_INSTANCE, otlpReceiver, stack, topic } from './support/stack';

/** Where the global setup writes each service's output (JSON log lines). */
const LOG_DIR = join(__dirname, '..', '..', '.infra', 'e2e-logs', String(E2E_INSTANCE));

/** OTLP span kinds (the JSON encoding uses the numbers). */
const SERVER = 2;
const CONSUMER = 5;

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  /** Nanoseconds since the epoch (a decimal string in OTLP/JSON). */
  startTimeUnixNano: string;
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string };
}

interface OtlpTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{ spans?: Array<Omit<ReceivedSpan, 'service'>> }>;
  }>;
}

/** Accepts `POST /v1/traces` in OTLP's JSON encoding and keeps every span. */
function startReceiver(spans: ReceivedSpan[]): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (request.url === '/v1/traces' && /json/.test(request.headers['content-type'] ?? '')) {
        const traces = JSON.parse(body.toString('utf8')) as OtlpTraces;
        for (const resource of traces.resourceSpans ?? []) {
          const service =
            resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value
              .stringValue ?? 'unknown';
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) spans.push({ ...span, service });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const { hostname, port } = new URL(otlpReceiver.http);
  return new Promise((resolve) => server.listen(Number(port), hostname, () => resolve(server)));
}

describe('a trace across services', () => {
  const spans: ReceivedSpan[] = [];
  let receiver: Server;
  let auth: AuthGrpcClient;

  beforeAll(async () => {
    receiver = await startReceiver(spans);
    auth = authClient();
  });

  afterAll(async () => {
    auth.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('follows a registration from auth through gRPC and Kafka into the other services', async () => {
    // Spans of registrations by earlier specs may still arrive (queued while nobody
    // listened); only a Register that started after this point can be this one.
    const startedNs = BigInt(Date.now() - 1) * 1_000_000n;
    const user = await registerUser(auth, 'traced');

    // auth's server span of this Register call: the root of the trace.
    const register = await eventually(async () =>
      spans.find(
        (s) =>
          s.service === 'auth' &&
          s.kind === SERVER &&
          BigInt(s.startTimeUnixNano) >= startedNs &&
          s.name.endsWith('AuthService/Register') &&
          // Several registrations may be traced; take the one whose event reached Kafka.
          spans.some(
            (c) =>
              c.traceId === s.traceId &&
              c.kind === CONSUMER &&
              c.name.includes(Topics.UserRegistered),
          ),
      ),
    );
    expect(user.userId).toEqual(expect.any(String));

    const inTrace = () => spans.filter((s) => s.traceId === register.traceId);
    const trace = await eventually(async () => {
      const services = new Set(inTrace().map((s) => s.service));
      return ['auth', 'profile', 'friends', 'messenger'].every((s) => services.has(s))
        ? inTrace()
        : undefined;
    }, 30_000).catch((error: Error) => {
      // Say what did arrive, so a failure shows which service's spans are missing.
      const seen = inTrace().map((s) => `${s.service}: ${s.name}`);
      throw new Error(`${error.message}; spans of the trace so far:\n${seen.join('\n')}`);
    });

    // profile served the nickname reservation as part of the same trace (gRPC metadata).
    expect(trace).toContainEqual(
      expect.objectContaining({
        service: 'profile',
        kind: SERVER,
        name: expect.stringMatching(/ProfileService\/ReserveNickname$/),
      }),
    );
    // friends and messenger consumed the event in it (Kafka headers via the outbox), as
    // descendants of auth's request rather than of the relay's poll loop.
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const rootOf = (span: ReceivedSpan): ReceivedSpan => {
      const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
      return parent ? rootOf(parent) : span;
    };
    for (const service of ['friends', 'messenger']) {
      const consumed = trace.find(
        (s) =>
          s.service === service && s.kind === CONSUMER && s.name.includes(Topics.UserRegistered),
      );
      expect({ service, consumed: consumed?.name }).toEqual({
        service,
        // kafkajs' instrumentation names the span after the broker's (prefixed) topic.
        consumed: `process ${topic(Topics.UserRegistered)}`,
      });
      expect(rootOf(consumed!).spanId).toBe(register.spanId);
    }
  });

  it("writes the trace id of a request into that request's log line", async () => {
    // A refused request is logged at `warn`, which the e2e stack's log level keeps.
    const requestId = `traced-${randomUUID()}`;
    const response = await fetch(`${stack.friends.http}/v1/friends`, {
      headers: { authorization: 'Bearer not-a-token', 'x-request-id': requestId },
    });
    expect(response.status).toBe(401);

    const logged = await eventually(async () =>
      readFileSync(join(LOG_DIR, 'friends.log'), 'utf8')
        .split('\n')
        .filter((line) => line.includes(requestId))
        .map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string })
        .find((entry) => entry.trace_id),
    );
    // The trace is the one of that HTTP request, and the logged span is one of its spans.
    const server = await eventually(async () =>
      spans.find(
        (s) => s.service === 'friends' && s.traceId === logged.trace_id && s.kind === SERVER,
      ),
    );
    expect(server.name).toMatch(/^GET/);
    await eventually(async () =>
      spans.some((s) => s.traceId === logged.trace_id && s.spanId === logged.span_id)
        ? true
        : undefined,
    );
  });
});
