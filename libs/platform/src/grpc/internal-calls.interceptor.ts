import { ErrorCodes } from '@app/contracts';
import {
  Metadata,
  type StatusObject,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  ServerInterceptingCall,
  type ServerMethodDefinition,
  status,
} from '@grpc/grpc-js';
import { ERROR_CODE_METADATA_KEY } from '../errors/grpc-error';
import {
  INTERNAL_CALLERS_ONLY,
  INTERNAL_TOKEN_KEY,
  InternalCredential,
} from './internal-credential';

/**
 * Services every gRPC server answers without credentials: Kubernetes probes and load
 * balancers call the health service, grpcurl the reflection service, and neither reveals
 * more than whether the server is up and the (public) proto files.
 */
export const OPEN_GRPC_SERVICES: readonly string[] = [
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
];

/** Who may call what on one gRPC server. */
export interface InternalCallsPolicy {
  /** The credential internal callers must present (`x-internal-token`). */
  credential: InternalCredential;
  /**
   * Methods anyone may call, as `/package.Service/Method` paths: the end-user API a server
   * shares its port with (auth's Register, Login…). Every other method of the server is
   * internal, so a method added later is closed until someone declares it public.
   */
  publicMethods?: readonly string[];
}

/**
 * A grpc-js server interceptor that refuses, with UNAUTHENTICATED and the
 * `COMMON.UNAUTHENTICATED` error code, every call of an internal method that does not
 * carry the credential — before Nest decodes the request or runs a guard, so no handler
 * can be left unprotected by a forgotten decorator. See
 * docs/adr/0015-internal-grpc-service-credentials.md.
 */
export function internalCallsInterceptor(policy: InternalCallsPolicy): ServerInterceptor {
  const open = new Set(policy.publicMethods);
  const isOpen = (path: string) => open.has(path) || OPEN_GRPC_SERVICES.includes(serviceOf(path));
  return (
    method: ServerMethodDefinition<unknown, unknown>,
    call: ServerInterceptingCallInterface,
  ) => {
    if (isOpen(method.path)) return new ServerInterceptingCall(call);
    let refused = false;
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            if (policy.credential.accepts(metadata.get(INTERNAL_TOKEN_KEY)[0])) {
              nextMetadata(metadata);
              return;
            }
            // Not passing the metadata on keeps the handler from reading the request at all.
            refused = true;
            call.sendStatus(unauthenticated());
          },
          onReceiveMessage: (message, nextMessage) => {
            if (!refused) nextMessage(message);
          },
          onReceiveHalfClose: (nextHalfClose) => {
            if (!refused) nextHalfClose();
          },
        }),
    });
  };
}

/**
 * Throws when a declared public method is not one the server serves: a misspelt path would
 * otherwise leave the real method closed with nothing to say why.
 */
export function assertPublicMethodsServed(
  served: Iterable<string>,
  publicMethods: readonly string[] = [],
): void {
  const known = new Set(served);
  const unknown = publicMethods.filter((path) => !known.has(path));
  if (unknown.length > 0) {
    throw new Error(`public gRPC methods that the server does not serve: ${unknown.join(', ')}`);
  }
}

/** `auth.v1.AuthService` of `/auth.v1.AuthService/ValidateToken`. */
const serviceOf = (path: string): string => path.slice(1, path.lastIndexOf('/'));

function unauthenticated(): StatusObject {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, ErrorCodes.UNAUTHENTICATED);
  return {
    code: status.UNAUTHENTICATED,
    details: INTERNAL_CALLERS_ONLY,
    metadata,
  };
}
