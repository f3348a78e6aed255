import { ErrorCodes } from '@app/contracts';
import { DomainError } from './domain-error';

/**
 * PostgreSQL SQLSTATEs that say the server or the connection went away, not that the
 * statement was wrong: class 08 (connection exception), and the server shutting down,
 * restarting or refusing more clients.
 */
const OUTAGE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Socket errors of a dependency that is down or unreachable. */
const OUTAGE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
/** node-postgres reports a lost or unobtainable connection only in its message. */
const OUTAGE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
];

/**
 * TypeORM releases a transaction's query runner when its connection dies; the next
 * statement of that transaction then fails with one of these (through the query runner
 * or through its EntityManager), a consequence of the same outage.
 */
const OUTAGE_ERROR_NAMES = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

/**
 * The answer to an error caused by a dependency being unreachable for the moment (the
 * database restarted, a connection was killed): UNAVAILABLE, which clients may retry —
 * HTTP 503, gRPC UNAVAILABLE, GraphQL SERVICE_UNAVAILABLE — instead of a masked INTERNAL.
 * Undefined for any other error. Looks through TypeORM's `driverError` wrapper.
 */
export function dependencyOutage(error: unknown): DomainError | undefined {
  for (let e = error, depth = 0; isObject(e) && depth < 3; e = e.driverError, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    const name = typeof e.name === 'string' ? e.name : '';
    if (
      OUTAGE_ERROR_NAMES.has(name) ||
      code.startsWith('08') ||
      OUTAGE_SQLSTATES.has(code) ||
      OUTAGE_ERRNOS.has(code) ||
      OUTAGE_MESSAGES.some((pattern) => pattern.test(message))
    ) {
      return new DomainError(
        'UNAVAILABLE',
        ErrorCodes.UNAVAILABLE,
        'The service is briefly unable to reach its database; retry shortly',
      );
    }
  }
  return undefined;
}

const isObject = (e: unknown): e is Record<string, unknown> => typeof e === 'object' && e !== null;
