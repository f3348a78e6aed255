import type { INestApplication } from '@nestjs/common';
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { GrpcHealthService } from '../health/grpc-health.service';

/**
 * What every service's gRPC server serves next to its own services:
 * `grpc.health.v1.Health` (answered from the readiness checks, for Kubernetes gRPC probes
 * and load balancers) and server reflection (v1 and v1alpha), so `grpcurl` works without
 * the proto files.
 *
 * Nest's gRPC transport hands the grpc-js server only to `onLoadPackageDefinition`, which
 * runs when the transport starts, after the app exists; `bootstrapService` passes the
 * hook this returns.
 */
export function grpcServerExtras(
  app: INestApplication,
): (definition: protoLoader.PackageDefinition, server: grpc.Server) => void {
  return (definition, server) => {
    const health = app.get(GrpcHealthService);
    health.track(servicesOf(definition));
    health.addToServer(server);
    health.startPolling();
    // Reflection describes the Health service too, so grpcurl can call it by name.
    const healthDefinition = protoLoader.loadSync(healthProtoPath);
    new ReflectionService({ ...definition, ...healthDefinition }).addToServer(server);
  };
}

/** Fully-qualified names of the services in a loaded package definition. */
function servicesOf(definition: protoLoader.PackageDefinition): string[] {
  return Object.entries(definition)
    .filter(([, value]) => !('format' in value) && !('type' in value))
    .map(([name]) => name);
}
