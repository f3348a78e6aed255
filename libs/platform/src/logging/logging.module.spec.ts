import { Body, Controller, INestApplication, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { trace, TraceFlags } from '@opentelemetry/api';
import { InjectPinoLogger, Logger, PinoLogger } from 'nestjs-pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import { LoggingModule, redactUrl } from './logging.module';

/** Values no log line may contain, whichever field they travel in. */
const SECRETS = {
  bearer: 'eyJhbGciOiJSUzI1NiJ9.bearer-access-token.signature',
  internal: 'internal-shared-secret-4c1e',
  cookie: 'session-cookie-value-77aa',
  password: 'correct horse battery staple',
  accessToken: 'access-token-in-body-9f3b',
  refreshToken: 'refresh-token-in-body-d2c8',
  oauthCode: 'oauth-authorization-code-51e0',
};

@Controller('v1/auth')
class LoginController {
  constructor(@InjectPinoLogger('LoginController') private readonly logger: PinoLogger) {}

  /** Logs the DTO the way a careless handler would, then echoes the tokens back. */
  @Post('login')
  login(@Body() body: { email: string; password: string }) {
    this.logger.info({ credentials: body }, 'login attempt');
    const tokens = { accessToken: SECRETS.accessToken, refreshToken: SECRETS.refreshToken };
    this.logger.info({ tokens }, 'issued tokens');
    return tokens;
  }
}

describe('LoggingModule', () => {
  let app: INestApplication;
  const lines: string[] = [];

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const moduleRef = await Test.createTestingModule({
      imports: [LoggingModule.forRoot({ service: 'auth', level: 'debug', destination })],
      controllers: [LoginController],
    }).compile();
    app = moduleRef.createNestApplication({ bufferLogs: true });
    app.useLogger(app.get(Logger));
    await app.init();
  });

  afterAll(() => app.close());

  it('keeps credentials and tokens out of every line of a logged request', async () => {
    await request(app.getHttpServer())
      .post(`/v1/auth/login?code=${SECRETS.oauthCode}&state=abc`)
      .set('Authorization', `Bearer ${SECRETS.bearer}`)
      .set('x-internal-token', SECRETS.internal)
      .set('Cookie', `sid=${SECRETS.cookie}`)
      .set('x-request-id', 'req-123')
      .send({ email: 'ada@example.com', password: SECRETS.password })
      .expect(201);

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requestLines = entries.filter((e) => e.reqId === 'req-123' || e.req);
    // The request completion line and the handler's two lines were all captured...
    expect(entries.map((e) => e.msg)).toEqual(
      expect.arrayContaining(['login attempt', 'issued tokens', 'request completed']),
    );
    expect(requestLines.length).toBeGreaterThanOrEqual(3);
    // ...with the non-secret context intact (so redaction did not just drop everything)...
    const completed = entries.find((e) => e.msg === 'request completed') as {
      service: string;
      req: { id: string; url: string; headers: Record<string, string> };
    };
    expect(completed.service).toBe('auth');
    expect(completed.req.id).toBe('req-123');
    expect(completed.req.headers.authorization).toBe('[redacted]');
    expect(completed.req.headers['x-internal-token']).toBe('[redacted]');
    expect(completed.req.url).toContain('state=abc');
    expect(JSON.stringify(entries)).toContain('ada@example.com');
    // ...and no secret anywhere.
    const output = lines.join('\n');
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect({ name, leaked: output.includes(secret) }).toEqual({ name, leaked: false });
    }
  });

  it('adds the active trace and span ids to log lines', () => {
    const spanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    };
    lines.length = 0;
    const logger = app.get(Logger);
    // No tracing SDK runs in unit tests: stand in for the span it would have made active.
    const active = jest
      .spyOn(trace, 'getActiveSpan')
      .mockReturnValue(trace.wrapSpanContext(spanContext));
    logger.log('inside a span');
    active.mockRestore();
    const entry = JSON.parse(lines.find((l) => l.includes('inside a span'))!) as Record<
      string,
      unknown
    >;
    expect(entry).toMatchObject({ trace_id: spanContext.traceId, span_id: spanContext.spanId });
  });
});

describe('redactUrl', () => {
  it('censors credential query parameters and keeps the rest', () => {
    expect(redactUrl('/cb?code=abc&state=xyz')).toBe('/cb?code=%5Bredacted%5D&state=xyz');
    expect(redactUrl('/v1/friends?limit=10')).toBe('/v1/friends?limit=10');
    expect(redactUrl('/health/live')).toBe('/health/live');
  });
});
