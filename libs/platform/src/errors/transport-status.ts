import { type ErrorCode, ErrorCodes, type ErrorKind } from '@app/contracts';
import { status as GrpcStatus } from '@grpc/grpc-js';

/*
 * How each transport answers each kind of error: one table per transport, read by its
 * exception filter and by the metrics alike, so a dashboard's errors are the ones clients
 * saw. A DomainError's kind picks the row; Nest's own exceptions (guards, pipes, body
 * parsing) speak HTTP and reach a kind through KIND_OF_HTTP_STATUS.
 */

/** HTTP status of each kind. */
export const HTTP_STATUS_OF: Record<ErrorKind, number> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 409,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** gRPC status of each kind. */
export const GRPC_STATUS_OF: Record<ErrorKind, GrpcStatus> = {
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
  PERMISSION_DENIED: GrpcStatus.PERMISSION_DENIED,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  ALREADY_EXISTS: GrpcStatus.ALREADY_EXISTS,
  FAILED_PRECONDITION: GrpcStatus.FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  INTERNAL: GrpcStatus.INTERNAL,
};

/** GraphQL `extensions.code` of each kind (Apollo's codes where Apollo has one). */
export const GRAPHQL_CODE_OF: Record<ErrorKind, string> = {
  INVALID_ARGUMENT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  PERMISSION_DENIED: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'CONFLICT',
  FAILED_PRECONDITION: 'CONFLICT',
  RESOURCE_EXHAUSTED: 'RATE_LIMITED',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/**
 * The shared `COMMON.*` code of a kind, for an error that has no domain code of its own.
 * socket.io acknowledgements carry codes only, so this is the socket transport's table:
 * its filter answers with it and its metrics read a kind back from it.
 */
export const SHARED_CODE_OF = {
  INVALID_ARGUMENT: ErrorCodes.VALIDATION_FAILED,
  UNAUTHENTICATED: ErrorCodes.UNAUTHENTICATED,
  PERMISSION_DENIED: ErrorCodes.FORBIDDEN,
  NOT_FOUND: ErrorCodes.NOT_FOUND,
  RESOURCE_EXHAUSTED: ErrorCodes.RATE_LIMITED,
  UNAVAILABLE: ErrorCodes.UNAVAILABLE,
  INTERNAL: ErrorCodes.INTERNAL,
} as const satisfies Partial<Record<ErrorKind, ErrorCode>>;

/** The kind of the HTTP statuses Nest's exceptions and Express middleware answer with. */
const KIND_OF_HTTP_STATUS: Readonly<Record<number, ErrorKind>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  503: 'UNAVAILABLE',
};

/** Code of a body too large to read: a client's mistake worth telling apart from others. */
export const PAYLOAD_TOO_LARGE_CODE = 'COMMON.PAYLOAD_TOO_LARGE';

/** The kind of an HTTP status, if it is one the tables know. */
export function kindOfHttpStatus(status: number): ErrorKind | undefined {
  return KIND_OF_HTTP_STATUS[status];
}

/**
 * The code of an HTTP error that brings none: the shared code of a client error's kind,
 * {@link PAYLOAD_TOO_LARGE_CODE} for 413, `HTTP.<status>` otherwise.
 */
export function codeOfHttpStatus(status: number): string {
  if (status === 413) return PAYLOAD_TOO_LARGE_CODE;
  const kind = status < 500 ? kindOfHttpStatus(status) : undefined;
  return (kind && sharedCodeOf(kind)) ?? `HTTP.${status}`;
}

const KIND_BY_SHARED_CODE = new Map(
  Object.entries(SHARED_CODE_OF).map(([kind, code]) => [code as string, kind as ErrorKind]),
);

/** The kind a shared `COMMON.*` code stands for; undefined for a service's own codes. */
export function kindOfSharedCode(code: string): ErrorKind | undefined {
  return KIND_BY_SHARED_CODE.get(code);
}

/** The shared code of `kind`, if it has one. */
export function sharedCodeOf(kind: ErrorKind): ErrorCode | undefined {
  return (SHARED_CODE_OF as Partial<Record<ErrorKind, ErrorCode>>)[kind];
}
