import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  GrpcOptions,
  MicroserviceOptions,
  NestMicroservice,
  Transport,
} from '@nestjs/microservices';
import { PROTO_LOADER_OPTIONS, PROTO_ROOT } from '@app/contracts';
import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition, ServiceDefinition } from '@grpc/proto-loader';
import { Logger } from 'nestjs-pino';
import { join } from 'node:path';
import { TransportExceptionFilter } from '../errors/transport-exception.filter';
import { InternalCredential } from '../grpc/internal-credential';
import {
  assertPublicMethodsServed,
  internalCallsInterceptor,
} from '../grpc/internal-calls.interceptor';
import { grpcMetricsInterceptor } from '../metrics/grpc-metrics.interceptor';
import { MetricsService } from '../metrics/metrics';
import { requestValidationPipe } from '../validation/class-validation';
import { shutdownGracefully } from './graceful-shutdown';
import { grpcServerExtras } from './grpc-server-extras';
import { applyHttpSecurity, type HtmlPage } from './http-security';

export interface GrpcServerOptions {
  /** proto package(s), e.g. `auth.v1`. */
  package: string | string[];
  /** Proto file(s) relative to `proto/`. */
  protoPath: string | string[];
  /** `host:port` to listen on. */
  url: string;
  /**
   * The service credential callers of the internal methods must present
   * (`INTERNAL_API_TOKEN`). Unset, every internal method refuses every call.
   */
  internalApiToken: string | undefined;
  /**
   * Methods anyone may call (`/package.Service/Method`); every other method of the server
   * is internal. gRPC health and reflection are always open. ADR 0015.
   */
  publicMethods?: readonly string[];
}

export interface ServiceBootstrapOptions {
  httpPort: number;
  httpHost?: string;
  /** Browser origins allowed to call the HTTP API and open sockets (`CORS_ORIGINS`). */
  corsOrigins: readonly string[];
  /** HTML pages served beside the API (Swagger UI, a GraphQL IDE), each with its own CSP. */
  htmlPages?: readonly HtmlPage[];
  /** On SIGTERM, the longest wait for HTTP requests in flight (`SHUTDOWN_DRAIN_TIMEOUT_MS`). */
  shutdownDrainTimeoutMs: number;
  /** Serve gRPC from the same process (Nest hybrid application). */
  grpc?: GrpcServerOptions;
  /** Further transports connected to the app, e.g. the Kafka consumer of `@app/kafka`. */
  transports?: Array<(app: INestApplication) => MicroserviceOptions>;
  /** Transport-specific set-up before listening (Swagger, body limits, adapters). */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/** Options of Nest's gRPC transport for proto files under `proto/`. */
export function grpcServerOptions(grpc: GrpcServerOptions): GrpcOptions {
  const files = Array.isArray(grpc.protoPath) ? grpc.protoPath : [grpc.protoPath];
  return {
    transport: Transport.GRPC,
    options: {
      package: grpc.package,
      protoPath: files.map((file) => join(PROTO_ROOT, file)),
      url: grpc.url,
      loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] },
    },
  };
}

/**
 * Starts a service the same way everywhere: one HTTP server (health, metrics and any
 * HTTP API) with gRPC (plus gRPC health and reflection) and Kafka transports connected to
 * it, JSON logs, validation and error mapping on every transport, security headers and
 * CORS on HTTP, and a SIGTERM shutdown that answers every request in flight.
 */
export async function bootstrapService(
  module: Type | DynamicModule,
  options: ServiceBootstrapOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create(module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  const shutdown = shutdownGracefully(app, options.shutdownDrainTimeoutMs);
  applyHttpSecurity(app, { corsOrigins: options.corsOrigins, htmlPages: options.htmlPages });
  const pipes = [requestValidationPipe()];
  const filters = [new TransportExceptionFilter()];
  app.useGlobalPipes(...pipes);
  app.useGlobalFilters(...filters);
  await options.configure?.(app);

  // Connected transports get the app's pipes and filters but not its interceptors (the
  // HTTP and GraphQL metrics): any global interceptor puts Nest's interceptor chain on
  // every gRPC call and Kafka record. gRPC calls are timed by a grpc-js interceptor.
  // Handlers bind their pipes and filters when listeners are registered, so that is
  // deferred until the transport's own config has them; the three calls after it are the
  // ones connectMicroservice makes itself when not deferred.
  const connect = (transport: MicroserviceOptions) => {
    const server = app.connectMicroservice<MicroserviceOptions>(transport, {
      inheritAppConfig: false,
      deferInitialization: true,
    }) as NestMicroservice;
    server.useGlobalPipes(...pipes);
    server.useGlobalFilters(...filters);
    server.registerListeners();
    server.setIsInitialized(true);
    server.setIsInitHookCalled(true);
  };
  if (options.grpc) {
    const { internalApiToken, publicMethods } = options.grpc;
    const credential = new InternalCredential(internalApiToken);
    if (!credential.configured) {
      app
        .get(Logger)
        .warn('INTERNAL_API_TOKEN is not set: every internal gRPC method refuses every call');
    }
    const grpc = grpcServerOptions(options.grpc);
    const extras = grpcServerExtras(app);
    grpc.options.onLoadPackageDefinition = (definition: PackageDefinition, server: Server) => {
      assertPublicMethodsServed(methodPaths(definition), publicMethods);
      extras(definition, server);
      shutdown.drainGrpc(server);
    };
    // Nest passes its channel options to the grpc-js Server constructor. The credential
    // check runs within the metrics interceptor, so refused calls are counted as well.
    grpc.options.channelOptions = {
      interceptors: [
        grpcMetricsInterceptor(app.get(MetricsService)),
        internalCallsInterceptor({ credential, publicMethods }),
      ],
    };
    connect(grpc);
  }
  for (const transport of options.transports ?? []) connect(transport(app));
  // Init first: module hooks (migrations, topic creation) must finish before the
  // transports start taking gRPC calls and Kafka records.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(options.httpPort, options.httpHost ?? '0.0.0.0');
  return app;
}

/** `/package.Service/Method` of every method in a loaded package definition. */
function methodPaths(definition: PackageDefinition): string[] {
  return Object.values(definition)
    .filter((value) => !('format' in value) && !('type' in value))
    .flatMap((service) => Object.values(service as ServiceDefinition).map((m) => m.path));
}

/**
 * Runs a service's `main`, turning a start-up failure (bad config, unreachable
 * dependency) into one readable message and exit code 1 instead of a stack dump.
 */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Failed to start: ${message}\n`);
    process.exit(1);
  });
}
