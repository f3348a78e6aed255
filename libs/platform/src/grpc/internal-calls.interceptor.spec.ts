import { ErrorCodes, GrpcPackages, PROTO_LOADER_OPTIONS, PROTO_ROOT } from '@app/contracts';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { join } from 'node:path';
import { internalCredentialInterceptor } from './grpc-client';
import { assertPublicMethodsServed, internalCallsInterceptor } from './internal-calls.interceptor';
import { InternalCredential } from './internal-credential';

const SECRET = 'the-service-credential-0123456789abcdef';
const GET_PROFILES = '/profile.v1.ProfileService/GetProfiles';

type Callback = (error: grpc.ServiceError | null, response?: unknown) => void;
type UnaryStub = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: Callback,
) => void;

/** The proto-loader constructor of a fully-qualified service. */
function serviceOf(file: string, name: string, includeDirs: string[] = []) {
  const loaded = grpc.loadPackageDefinition(
    protoLoader.loadSync(file, { ...PROTO_LOADER_OPTIONS, includeDirs }),
  );
  return name
    .split('.')
    .reduce<unknown>(
      (node, part) => (node as Record<string, unknown>)[part],
      loaded,
    ) as grpc.ServiceClientConstructor;
}

const ProfileService = serviceOf(
  join(PROTO_ROOT, GrpcPackages.profile.protoPath),
  'profile.v1.ProfileService',
  [PROTO_ROOT],
);
const Health = serviceOf(healthProtoPath, 'grpc.health.v1.Health');

/**
 * A real grpc-js server on loopback with profile.v1 (handlers that record they ran) and the
 * health service, behind the interceptor under test.
 */
async function startServer(
  credential: InternalCredential,
  publicMethods?: string[],
): Promise<{ address: string; handled: string[]; stop: () => void }> {
  const handled: string[] = [];
  const server = new grpc.Server({
    interceptors: [internalCallsInterceptor({ credential, publicMethods })],
  });
  const answer =
    (name: string, response: unknown) =>
    (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      handled.push(name);
      callback(null, response);
    };
  server.addService(ProfileService.service, {
    getProfiles: answer('GetProfiles', { profiles: [] }),
    reserveNickname: answer('ReserveNickname', { reserved: true }),
    releaseNickname: answer('ReleaseNickname', {}),
  });
  new HealthImplementation({ '': 'SERVING' }).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { address: `127.0.0.1:${port}`, handled, stop: () => server.forceShutdown() };
}

/** One unary call; resolves the error (or null) rather than rejecting. */
function call(
  client: grpc.Client,
  method: string,
  request: unknown,
  metadata = new grpc.Metadata(),
): Promise<grpc.ServiceError | null> {
  const stub = (client as unknown as Record<string, UnaryStub>)[method].bind(client);
  return new Promise((resolve) =>
    stub(request, metadata, { deadline: Date.now() + 5_000 }, (error) => resolve(error)),
  );
}

describe('internalCallsInterceptor', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const clients: grpc.Client[] = [];
  const profileClient = (interceptors: grpc.Interceptor[] = []) => {
    const client = new ProfileService(server.address, grpc.credentials.createInsecure(), {
      interceptors,
    });
    clients.push(client);
    return client;
  };
  const withToken = (token: string) => {
    const metadata = new grpc.Metadata();
    metadata.set('x-internal-token', token);
    return metadata;
  };

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    server.stop();
  });

  describe('with a configured credential', () => {
    beforeEach(async () => {
      server = await startServer(new InternalCredential(SECRET));
    });

    it.each([
      ['no credential', new grpc.Metadata()],
      ['a wrong credential', withToken('not-the-secret-but-just-as-long-01234')],
      ['an empty credential', withToken('')],
    ])('refuses a call with %s as UNAUTHENTICATED, before the handler runs', async (_, md) => {
      const error = await call(
        profileClient(),
        'reserveNickname',
        { userId: 'u', nickname: 'n' },
        md,
      );
      expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(error?.metadata.get('x-error-code')).toEqual([ErrorCodes.UNAUTHENTICATED]);
      expect(server.handled).toEqual([]);
    });

    it('lets a caller through whose client attaches the credential', async () => {
      const client = profileClient([internalCredentialInterceptor(new InternalCredential(SECRET))]);
      await expect(call(client, 'getProfiles', { ids: [] })).resolves.toBeNull();
      await expect(call(client, 'releaseNickname', { userId: 'u' })).resolves.toBeNull();
      expect(server.handled).toEqual(['GetProfiles', 'ReleaseNickname']);
    });

    it('leaves grpc.health.v1 open to probes that carry no credential', async () => {
      const health = new Health(server.address, grpc.credentials.createInsecure());
      clients.push(health);
      await expect(call(health, 'check', { service: '' })).resolves.toBeNull();
    });
  });

  it('refuses every internal call when no credential is configured (fails closed)', async () => {
    server = await startServer(new InternalCredential(undefined));
    const client = profileClient([internalCredentialInterceptor(new InternalCredential(SECRET))]);
    const error = await call(client, 'getProfiles', { ids: [] });
    expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(server.handled).toEqual([]);
  });

  it('answers the declared public methods without credentials, and only those', async () => {
    server = await startServer(new InternalCredential(SECRET), [GET_PROFILES]);
    const client = profileClient();
    await expect(call(client, 'getProfiles', { ids: [] })).resolves.toBeNull();
    const error = await call(client, 'releaseNickname', { userId: 'u' });
    expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(server.handled).toEqual(['GetProfiles']);
  });
});

describe('assertPublicMethodsServed', () => {
  const served = [GET_PROFILES, '/profile.v1.ProfileService/ReserveNickname'];

  it('accepts public methods the server serves', () => {
    expect(() => assertPublicMethodsServed(served, [GET_PROFILES])).not.toThrow();
    expect(() => assertPublicMethodsServed(served)).not.toThrow();
  });

  it('refuses a misspelt one, which would otherwise stay closed without a word', () => {
    expect(() =>
      assertPublicMethodsServed(served, ['/profile.v1.ProfileService/GetProfile']),
    ).toThrow(/GetProfile\b/);
  });
});
