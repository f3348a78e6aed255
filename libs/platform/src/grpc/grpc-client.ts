import { GrpcOptions, Transport } from '@nestjs/microservices';
import { GrpcPackages, PROTO_LOADER_OPTIONS, PROTO_ROOT } from '@app/contracts';
import { type CallOptions, InterceptingCall, type Interceptor, Metadata } from '@grpc/grpc-js';
import { join } from 'node:path';
import { lastValueFrom, Observable, timeout } from 'rxjs';
import { InternalCredential } from './internal-credential';

/**
 * Options of a Nest gRPC client (`ClientsModule`) of one of our services. Every call it
 * makes carries the service credential (`INTERNAL_API_TOKEN`, ADR 0015): all of these
 * services' gRPC APIs are internal.
 */
export function grpcClientOptions(
  service: keyof typeof GrpcPackages,
  url: string,
  internalApiToken: string | undefined,
): GrpcOptions {
  const { package: pkg, protoPath } = GrpcPackages[service];
  return {
    transport: Transport.GRPC,
    options: {
      package: pkg,
      protoPath: join(PROTO_ROOT, protoPath),
      url,
      loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] },
      // Nest hands its channel options to the grpc-js client constructor, which takes
      // client interceptors from them.
      channelOptions: {
        interceptors: [internalCredentialInterceptor(new InternalCredential(internalApiToken))],
      },
    },
  };
}

/**
 * A grpc-js client interceptor that adds the service credential to every call's metadata,
 * so the code making calls never handles the secret.
 */
export function internalCredentialInterceptor(credential: InternalCredential): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => {
        credential.attachTo(metadata);
        next(metadata, listener);
      },
    });
}

/**
 * A unary method of a generated client. Nest forwards extra arguments to grpc-js, which
 * takes call options (the deadline) third; ts-proto's interfaces just do not declare them.
 */
type UnaryMethod<Req, Res> = (request: Req, metadata?: Metadata) => Observable<Res>;
type UnaryWithOptions<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: CallOptions,
) => Observable<Res>;

/**
 * Makes one unary call with a deadline that grpc-js enforces and the server sees (so it
 * can stop working on an abandoned call), backed by an rxjs timeout should the call hang
 * before it is even sent (no connection yet). Rejects with the grpc-js error.
 */
export function callWithDeadline<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  deadlineMs: number,
): Promise<Res> {
  const call = method as unknown as UnaryWithOptions<Req, Res>;
  return lastValueFrom(
    call(request, new Metadata(), { deadline: Date.now() + deadlineMs }).pipe(
      timeout(deadlineMs + 250),
    ),
  );
}
