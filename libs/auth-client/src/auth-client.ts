import { AuthV1, GrpcPackages, PROTO_LOADER_OPTIONS, PROTO_ROOT } from '@app/contracts';
import {
  ERROR_CODE_METADATA_KEY,
  InternalCredential,
  internalCredentialInterceptor,
} from '@app/platform';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import type { Observable } from 'rxjs';

/** The RPCs of `auth.v1.AuthService`, by their generated (camelCase) names. */
type Rpcs = AuthV1.AuthServiceClient;
export type AuthRpc = keyof Rpcs;
/** The request message of an RPC, as ts-proto generated it from proto/auth/v1/auth.proto. */
export type AuthRequest<K extends AuthRpc> = Parameters<Rpcs[K]>[0];
/** The response message of an RPC. */
export type AuthResponse<K extends AuthRpc> =
  ReturnType<Rpcs[K]> extends Observable<infer R> ? R : never;

/** Per call: whose access token, which extra metadata, how long to wait. */
export interface AuthCallOptions {
  /** Sent as `authorization: Bearer <token>`: the methods that act for a signed-in user need it. */
  accessToken?: string;
  /** Metadata to send as well (`user-agent`, or `x-forwarded-for` from a trusted proxy). */
  metadata?: grpc.Metadata;
  /** The call's deadline in milliseconds from now; the client's default otherwise. */
  deadlineMs?: number;
}

/**
 * A promise-returning method per RPC of `auth.v1.AuthService`: resolves the response
 * message, or rejects with the grpc-js `ServiceError` (its `code`, and the stable domain
 * code in {@link authErrorCode}).
 */
export type AuthClient = {
  [K in AuthRpc]: (request: AuthRequest<K>, options?: AuthCallOptions) => Promise<AuthResponse<K>>;
} & {
  /** Closes the channel; calls made afterwards fail. */
  close(): void;
};

export interface AuthClientOptions {
  /**
   * The service credential (`INTERNAL_API_TOKEN`, ADR 0015), for callers that are one of
   * our services: it goes with every call, so internal-only methods (`ValidateToken`)
   * answer. End-user code leaves it out and is refused those methods (UNAUTHENTICATED).
   */
  internalApiToken?: string;
  /** Channel credentials; plaintext (`createInsecure`) by default, as the platform runs auth. */
  credentials?: grpc.ChannelCredentials;
  /** Default deadline of each call in milliseconds (10 s). */
  deadlineMs?: number;
  /** grpc-js channel options (keepalive, message sizes). */
  channelOptions?: grpc.ChannelOptions;
}

const DEFAULT_DEADLINE_MS = 10_000;

type UnaryCall = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: unknown) => void,
) => grpc.ClientUnaryCall;

let serviceConstructor: grpc.ServiceClientConstructor | undefined;

/** `auth.v1.AuthService` loaded from proto/ (once per process). */
function authServiceConstructor(): grpc.ServiceClientConstructor {
  if (!serviceConstructor) {
    const { package: pkg, protoPath } = GrpcPackages.auth;
    const definition = protoLoader.loadSync(join(PROTO_ROOT, protoPath), {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [PROTO_ROOT],
    });
    const loaded = grpc.loadPackageDefinition(definition);
    const node = `${pkg}.${AuthV1.AUTH_SERVICE_NAME}`
      .split('.')
      .reduce<unknown>((parent, part) => (parent as Record<string, unknown>)[part], loaded);
    serviceConstructor = node as grpc.ServiceClientConstructor;
  }
  return serviceConstructor;
}

/**
 * A typed client of auth's gRPC API (`auth.v1.AuthService`) at `address` (`host:port`,
 * e.g. `127.0.0.1:50051`). Its methods and messages are those generated from
 * proto/auth/v1/auth.proto, so a changed RPC fails the type check of every caller.
 *
 * ```ts
 * const auth = createAuthClient('127.0.0.1:50051');
 * const tokens = await auth.login({ email, password });
 * const { sessions } = await auth.listSessions({}, { accessToken: tokens.accessToken });
 *
 * const internal = createAuthClient(url, { internalApiToken: config.internalApiToken });
 * const { userId } = await internal.validateToken({ accessToken });
 * ```
 */
export function createAuthClient(address: string, options: AuthClientOptions = {}): AuthClient {
  if (!address) throw new TypeError('createAuthClient needs an address (host:port)');
  const Service = authServiceConstructor();
  const interceptors =
    options.internalApiToken === undefined
      ? []
      : [internalCredentialInterceptor(new InternalCredential(options.internalApiToken))];
  const channel = new Service(address, options.credentials ?? grpc.credentials.createInsecure(), {
    ...options.channelOptions,
    interceptors,
  });
  const defaultDeadline = options.deadlineMs ?? DEFAULT_DEADLINE_MS;

  const methods: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(Service.service)) {
    if (definition.requestStream || definition.responseStream) continue;
    const method = definition.originalName ?? name.charAt(0).toLowerCase() + name.slice(1);
    const call = (channel as unknown as Record<string, UnaryCall>)[method].bind(channel);
    methods[method] = (request: unknown, callOptions: AuthCallOptions = {}) =>
      new Promise((resolve, reject) => {
        call(
          request,
          callMetadata(callOptions),
          { deadline: Date.now() + (callOptions.deadlineMs ?? defaultDeadline) },
          (error, response) => (error ? reject(error) : resolve(response)),
        );
      });
  }
  return { ...methods, close: () => channel.close() } as AuthClient;
}

/** The call's metadata: the caller's own (copied, never changed) plus the Bearer token. */
function callMetadata({ accessToken, metadata }: AuthCallOptions): grpc.Metadata {
  const sent = metadata ? metadata.clone() : new grpc.Metadata();
  if (accessToken !== undefined) {
    if (accessToken === '') throw new TypeError('accessToken is empty');
    sent.set('authorization', `Bearer ${accessToken}`);
  }
  return sent;
}

/**
 * The platform's stable error code of a failed call (`AUTH.INVALID_CREDENTIALS`,
 * `COMMON.UNAUTHENTICATED`…), from the `x-error-code` trailer; undefined for anything else.
 */
export function authErrorCode(error: unknown): string | undefined {
  const metadata = (error as Partial<grpc.ServiceError> | null)?.metadata;
  if (!(metadata instanceof grpc.Metadata)) return undefined;
  const [code] = metadata.get(ERROR_CODE_METADATA_KEY);
  return typeof code === 'string' ? code : undefined;
}
