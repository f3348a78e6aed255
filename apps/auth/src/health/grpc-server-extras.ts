import type { INestApplication } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { GrpcHealthService } from './grpc-health.service';

/**
 * What auth's gRPC server serves next to `auth.v1.AuthService`: `grpc.health.v1.Health`
 * (answered from the readiness checks) and server reflection (v1 and v1alpha), so
 * `grpcurl` and load balancers work without the proto files.
 *
 * Nest's gRPC transport hands the grpc-js server only to `onLoadPackageDefinition`, which
 * runs when the transport starts — after the Nest app exists. `configure` (run by
 * `bootstrapService` before the transports connect) captures the app so the hook can
 * reach the {@link GrpcHealthService} provider.
 */
export function grpcServerExtras(): {
  configure: (app: INestApplication) => void;
  onLoadPackageDefinition: (definition: protoLoader.PackageDefinition, server: grpc.Server) => void;
} {
  let app: INestApplication | undefined;
  return {
    configure: (nestApp) => {
      app = nestApp;
    },
    onLoadPackageDefinition: (definition, server) => {
      if (!app) throw new Error('grpcServerExtras: configure(app) must run before the transport');
      const health = app.get(GrpcHealthService);
      health.track(servicesOf(definition));
      health.addToServer(server);
      // Reflection describes the Health service too, so grpcurl can call it by name.
      const healthDefinition = protoLoader.loadSync(healthProtoPath);
      new ReflectionService({ ...definition, ...healthDefinition }).addToServer(server);
    },
  };
}

/** Fully-qualified names of the services in a loaded package definition. */
function servicesOf(definition: protoLoader.PackageDefinition): string[] {
  return Object.entries(definition)
    .filter(([, value]) => !('format' in value) && !('type' in value))
    .map(([name]) => name);
}
