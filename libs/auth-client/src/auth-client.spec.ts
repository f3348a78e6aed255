import { type AuthV1, GrpcPackages, PROTO_LOADER_OPTIONS, PROTO_ROOT } from '@app/contracts';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { type AuthClient, authErrorCode, createAuthClient } from './index';

/**
 * A real grpc-js server speaking auth.v1.AuthService from proto/, with handlers that
 * record what arrived: the client is tested over the wire, not against a mock of grpc-js.
 */
const service = (() => {
  const definition = protoLoader.loadSync(join(PROTO_ROOT, GrpcPackages.auth.protoPath), {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [PROTO_ROOT],
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    auth: { v1: { AuthService: grpc.ServiceClientConstructor } };
  };
  return loaded.auth.v1.AuthService.service;
})();

interface Received {
  method: string;
  request: unknown;
  metadata: grpc.Metadata;
}

const TOKENS: AuthV1.AuthTokens = {
  accessToken: 'access',
  refreshToken: 'refresh',
  expiresIn: 900,
  userId: '00000000-0000-4000-8000-000000000001',
};

describe('createAuthClient (against a real grpc-js server)', () => {
  const received: Received[] = [];
  let server: grpc.Server;
  let address: string;
  const clients: AuthClient[] = [];
  const client = (options?: Parameters<typeof createAuthClient>[1]) => {
    const created = createAuthClient(address, options);
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    type Handler = grpc.handleUnaryCall<unknown, unknown>;
    const record =
      (
        method: string,
        answer: (call: Parameters<Handler>[0], done: Parameters<Handler>[1]) => void,
      ): Handler =>
      (call, done) => {
        received.push({ method, request: call.request, metadata: call.metadata });
        answer(call, done);
      };
    const unimplemented: Handler = (_call, done) => done({ code: grpc.status.UNIMPLEMENTED });
    const handlers: grpc.UntypedServiceImplementation = Object.fromEntries(
      Object.keys(service).map((name) => [name, unimplemented]),
    );
    handlers.Login = record('Login', (_call, done) => done(null, TOKENS));
    handlers.ListSessions = record('ListSessions', (_call, done) => done(null, { sessions: [] }));
    handlers.ValidateToken = record('ValidateToken', (_call, done) => {
      const trailer = new grpc.Metadata();
      trailer.set('x-error-code', 'AUTH.INVALID_TOKEN');
      done({ code: grpc.status.UNAUTHENTICATED, details: 'Invalid token', metadata: trailer });
    });
    // Answers too late for any deadline a spec sets.
    handlers.Logout = record('Logout', (_call, done) => {
      setTimeout(() => done(null, {}), 2_000).unref();
    });

    server = new grpc.Server();
    server.addService(service, handlers);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    address = `127.0.0.1:${port}`;
  });

  afterAll(() => {
    for (const created of clients) created.close();
    server.forceShutdown();
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('has a promise-returning method for every unary RPC of auth.v1.AuthService', () => {
    const auth = client();
    const expected = Object.values(service)
      .filter((method) => !method.requestStream && !method.responseStream)
      .map((method) => method.originalName);
    expect(expected).toEqual(expect.arrayContaining(['register', 'login', 'validateToken']));
    for (const name of expected) expect(typeof auth[name as keyof AuthClient]).toBe('function');
  });

  it('sends the typed request and resolves the response message', async () => {
    const auth = client();
    await expect(auth.login({ email: 'ada@example.test', password: 'pw' })).resolves.toEqual(
      TOKENS,
    );
    expect(received).toMatchObject([
      { method: 'Login', request: { email: 'ada@example.test', password: 'pw' } },
    ]);
    // An end user's client carries no service credential and no token it was not given.
    expect(received[0].metadata.get('x-internal-token')).toEqual([]);
    expect(received[0].metadata.get('authorization')).toEqual([]);
  });

  it('sends the access token as Bearer metadata, beside the caller’s own metadata', async () => {
    const auth = client();
    const metadata = new grpc.Metadata();
    metadata.set('x-forwarded-for', '203.0.113.7');
    await auth.listSessions({}, { accessToken: 'the-access-token', metadata });

    expect(received[0].metadata.get('authorization')).toEqual(['Bearer the-access-token']);
    expect(received[0].metadata.get('x-forwarded-for')).toEqual(['203.0.113.7']);
    // The caller's object is left as it was (it may be reused for another user's call).
    expect(metadata.get('authorization')).toEqual([]);
    await expect(auth.listSessions({}, { accessToken: '' })).rejects.toThrow(TypeError);
  });

  it('sends the service credential with every call when it has one', async () => {
    const internal = client({ internalApiToken: 'the-service-credential-0123456789abcdef' });
    await internal.login({ email: 'ada@example.test', password: 'pw' });
    await internal.validateToken({ accessToken: 'a' }).catch(() => undefined);

    expect(received.map((r) => [r.method, r.metadata.get('x-internal-token')])).toEqual([
      ['Login', ['the-service-credential-0123456789abcdef']],
      ['ValidateToken', ['the-service-credential-0123456789abcdef']],
    ]);
  });

  it('rejects with the grpc-js error, whose domain code authErrorCode reads', async () => {
    const auth = client();
    const error = await auth.validateToken({ accessToken: 'forged' }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: 'Invalid token' });
    expect(authErrorCode(error)).toBe('AUTH.INVALID_TOKEN');
    expect(authErrorCode(new Error('not gRPC'))).toBeUndefined();
  });

  it('gives up at the deadline with DEADLINE_EXCEEDED', async () => {
    const auth = client({ deadlineMs: 5_000 });
    const started = Date.now();
    await expect(auth.logout({ refreshToken: 'r' }, { deadlineMs: 200 })).rejects.toMatchObject({
      code: grpc.status.DEADLINE_EXCEEDED,
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
