import { type AuthClient, createAuthClient } from '@app/auth-client';
import { GrpcPackages, PROTO_LOADER_OPTIONS, PROTO_ROOT } from '@app/contracts';
import { createProfileClient, type ProfileClient } from '@app/profile-client';
import { InternalCredential, internalCredentialInterceptor } from '@app/platform';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { E2E_INTERNAL_API_TOKEN, stack } from './stack';

type Unary<Req, Res> = (request: Req, metadata?: grpc.Metadata) => Promise<Res>;

/** auth's gRPC API on the e2e stack: the typed client of `@app/auth-client`. */
export type AuthGrpcClient = AuthClient;

/**
 * Loads a service definition from `proto/` and returns a raw grpc-js client of it (for
 * profile's and friends' internal APIs; auth has its typed client, {@link authClient}). Like the
 * services' own clients, it sends the stack's service credential with every call, unless
 * `internalToken` says otherwise (another value, or `null`: none, as an outsider) or a call
 * sets `x-internal-token` itself.
 */
export function grpcClient(
  service: keyof typeof GrpcPackages,
  serviceName: string,
  address: string,
  options: { internalToken?: string | null } = {},
): grpc.Client &
  Record<string, grpc.MethodDefinition<unknown, unknown> & ((...args: unknown[]) => unknown)> {
  const { package: pkg, protoPath } = GrpcPackages[service];
  const definition = protoLoader.loadSync(join(PROTO_ROOT, protoPath), {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [PROTO_ROOT],
  });
  const loaded = grpc.loadPackageDefinition(definition);
  const ctor = pkg
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], loaded) as Record<
    string,
    grpc.ServiceClientConstructor
  >;
  const internalToken =
    options.internalToken === undefined ? E2E_INTERNAL_API_TOKEN : options.internalToken;
  const interceptors =
    internalToken === null
      ? []
      : [internalCredentialInterceptor(new InternalCredential(internalToken))];
  return new ctor[serviceName](address, grpc.credentials.createInsecure(), {
    interceptors,
  }) as never;
}

/** Calls a unary method and resolves its response, or rejects with the grpc-js error. */
export function unary<Req, Res>(client: grpc.Client, method: string): Unary<Req, Res> {
  return (request, metadata = new grpc.Metadata()) =>
    new Promise((resolve, reject) => {
      type UnaryCall = (
        request: Req,
        metadata: grpc.Metadata,
        options: grpc.CallOptions,
        callback: (error: grpc.ServiceError | null, response: Res) => void,
      ) => void;
      const call = (client as unknown as Record<string, UnaryCall>)[method].bind(client);
      call(request, metadata, { deadline: Date.now() + 10_000 }, (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
}

/**
 * A client of auth's gRPC API on the e2e stack (`@app/auth-client`). End-user methods go
 * without the service credential, as a real client's would; the internal-only
 * `ValidateToken` goes as a service calls it, with the stack's credential, unless
 * `internalToken` says otherwise (another value, or `null`: none, as an outside client).
 */
export function authClient(options: { internalToken?: string | null } = {}): AuthGrpcClient {
  const internalToken =
    options.internalToken === undefined ? E2E_INTERNAL_API_TOKEN : options.internalToken;
  const asUser = createAuthClient(stack.auth.grpc);
  if (internalToken === null) return asUser;
  const asService = createAuthClient(stack.auth.grpc, { internalApiToken: internalToken });
  return {
    ...asUser,
    validateToken: asService.validateToken,
    close: () => {
      asUser.close();
      asService.close();
    },
  };
}

/**
 * A client of profile's GraphQL API on the e2e stack (or at `base`): the typed operations
 * of `@app/profile-client`, each call with the token of the user it acts for.
 */
export function profileClient(base: string = stack.profile.http): ProfileClient {
  return createProfileClient(base);
}

export interface TestUser {
  userId: string;
  email: string;
  nickname: string;
  password: string;
  accessToken: string;
}

/** Registers a fresh user through auth's gRPC API. */
export async function registerUser(auth: AuthGrpcClient, prefix = 'user'): Promise<TestUser> {
  const suffix = randomUUID().slice(0, 8);
  const email = `${prefix}-${suffix}@example.test`;
  const nickname = `${prefix}_${suffix}`;
  const password = `pw-${randomUUID()}`;
  const tokens = await auth.register({ email, password, nickname });
  return { userId: tokens.userId, email, nickname, password, accessToken: tokens.accessToken };
}

/** Retries `probe` until it returns a value (events are asynchronous), or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`condition not met within ${timeoutMs} ms${reason}`);
}

/** A fresh, valid registration. */
export function newUser(prefix = 'e2e') {
  const suffix = randomUUID().slice(0, 8);
  return {
    email: `${prefix}-${suffix}@example.test`,
    password: `pw-${randomUUID()}`,
    nickname: `${prefix}_${suffix}`,
  };
}

/** Resolves the grpc-js error of a call that must fail (and fails the test if it succeeds). */
export async function failure(call: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}
