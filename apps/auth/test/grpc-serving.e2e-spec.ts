import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { join } from 'node:path';
import { authClient } from '../../../test/e2e/support/clients';
import { stack } from '../../../test/e2e/support/stack';
import { failure, fieldViolations, newUser } from './helpers';

const LOADER: protoLoader.Options = { enums: String, defaults: true, oneofs: true };

/** A raw grpc-js client of `service` (fully qualified) from a proto file. */
function clientOf(file: string, service: string): grpc.Client {
  const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(file, LOADER));
  const ctor = service
    .split('.')
    .reduce<unknown>(
      (node, part) => (node as Record<string, unknown>)[part],
      loaded,
    ) as grpc.ServiceClientConstructor;
  return new ctor(stack.auth.grpc, grpc.credentials.createInsecure());
}

interface ReflectionResponse {
  listServicesResponse?: { service: Array<{ name: string }> };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/** One request on the bidirectional `ServerReflectionInfo` stream, as grpcurl sends it. */
function reflect(request: Record<string, unknown>): Promise<ReflectionResponse> {
  const reflectionProto = join(
    require.resolve('@grpc/reflection/package.json'),
    '..',
    'build/proto/grpc/reflection/v1/reflection.proto',
  );
  const client = clientOf(reflectionProto, 'grpc.reflection.v1.ServerReflection');
  return new Promise((resolve, reject) => {
    const call = (
      client as unknown as { serverReflectionInfo(): grpc.ClientDuplexStream<unknown, unknown> }
    ).serverReflectionInfo();
    call.on('data', (response: ReflectionResponse) => {
      resolve(response);
      call.end();
    });
    call.on('error', reject);
    call.on('end', () => client.close());
    call.write(request);
  });
}

function healthCheck(service: string): Promise<{ status: string }> {
  const client = clientOf(healthProtoPath, 'grpc.health.v1.Health');
  return new Promise((resolve, reject) => {
    (
      client as unknown as {
        check(
          request: { service: string },
          options: grpc.CallOptions,
          callback: (error: grpc.ServiceError | null, response: { status: string }) => void,
        ): void;
      }
    ).check({ service }, { deadline: Date.now() + 5_000 }, (error, response) => {
      client.close();
      if (error) reject(error);
      else resolve(response);
    });
  });
}

describe('auth gRPC server: reflection and health', () => {
  it('lists its services through server reflection, as grpcurl would', async () => {
    const response = await reflect({ listServices: '' });
    const names = response.listServicesResponse?.service.map((s) => s.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(['auth.v1.AuthService', 'grpc.health.v1.Health']));
  });

  it('describes auth.v1.AuthService without proto files', async () => {
    const response = await reflect({ fileContainingSymbol: 'auth.v1.AuthService' });
    const files = response.fileDescriptorResponse?.fileDescriptorProto ?? [];
    expect(files.length).toBeGreaterThan(0);
    const text = Buffer.concat(files).toString('latin1');
    expect(text).toContain('ValidateToken');
    expect(text).toContain('auth.v1.AuthTokens');
  });

  it('answers SERVING for the server and for auth.v1.AuthService while its dependencies are up', async () => {
    const ready = await fetch(`${stack.auth.http}/health/ready`);
    expect(ready.status).toBe(200);
    await expect(healthCheck('')).resolves.toEqual({ status: 'SERVING' });
    await expect(healthCheck('auth.v1.AuthService')).resolves.toEqual({ status: 'SERVING' });
  });

  it('answers NOT_FOUND for a service it does not serve', async () => {
    await expect(healthCheck('nope.v1.Nothing')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });

  it('answers INVALID_ARGUMENT with a google.rpc.BadRequest field violation per bad field', async () => {
    const auth = authClient();
    try {
      const error = await failure(
        auth.register({ ...newUser(), email: 'not-an-email', nickname: 'a b' }),
      );
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      const violations = fieldViolations(error);
      expect(violations.map((v) => v.field).sort()).toEqual(['email', 'nickname']);
      expect(violations.find((v) => v.field === 'email')?.description).toBe(
        'email must be a valid email address',
      );
    } finally {
      auth.close();
    }
  });
});
