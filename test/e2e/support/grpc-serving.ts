import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { join } from 'node:path';

/**
 * Raw grpc-js clients of what every service's gRPC server serves beside its own API:
 * server reflection (as grpcurl uses it) and `grpc.health.v1.Health` (as Kubernetes'
 * gRPC probes use it).
 */
const LOADER: protoLoader.Options = { enums: String, defaults: true, oneofs: true };

/** A raw grpc-js client of `service` (fully qualified) from a proto file. */
function clientOf(address: string, file: string, service: string): grpc.Client {
  const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(file, LOADER));
  const ctor = service
    .split('.')
    .reduce<unknown>(
      (node, part) => (node as Record<string, unknown>)[part],
      loaded,
    ) as grpc.ServiceClientConstructor;
  return new ctor(address, grpc.credentials.createInsecure());
}

export interface ReflectionResponse {
  listServicesResponse?: { service: Array<{ name: string }> };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/** One request on the bidirectional `ServerReflectionInfo` stream, as grpcurl sends it. */
export function reflect(
  address: string,
  request: Record<string, unknown>,
): Promise<ReflectionResponse> {
  const reflectionProto = join(
    require.resolve('@grpc/reflection/package.json'),
    '..',
    'build/proto/grpc/reflection/v1/reflection.proto',
  );
  const client = clientOf(address, reflectionProto, 'grpc.reflection.v1.ServerReflection');
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

/** `grpc.health.v1.Health/Check` of `service` (`''`: the server as a whole). */
export function healthCheck(address: string, service: string): Promise<{ status: string }> {
  const client = clientOf(address, healthProtoPath, 'grpc.health.v1.Health');
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
