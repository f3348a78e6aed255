import { ErrorCodes } from '@app/contracts';
import {
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';
import { dependencyOutage } from './dependency-outage';

/** What TypeORM throws when node-postgres fails a query. */
const queryFailed = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

const pgError = (code: string, message = 'server says no') =>
  Object.assign(new Error(message), { code });

describe('dependencyOutage', () => {
  it.each([
    ['a connection killed by pg_terminate_backend (57P01)', queryFailed(pgError('57P01'))],
    ['a server restarting (57P03)', queryFailed(pgError('57P03'))],
    ['a connection exception (08006)', queryFailed(pgError('08006'))],
    ['too many clients (53300)', pgError('53300')],
    ['a refused connection', Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' })],
    ['a lost connection', queryFailed(new Error('Connection terminated unexpectedly'))],
    ['a pool that cannot connect', new Error('timeout exceeded when trying to connect')],
    [
      'a transaction whose connection died',
      Object.assign(new Error('Query runner already released.'), {
        name: 'QueryRunnerAlreadyReleasedError',
      }),
    ],
    // What TypeORM throws itself, rather than a look-alike: the second is what a released
    // transaction's EntityManager.query fails with.
    ['a released query runner', new QueryRunnerAlreadyReleasedError()],
    ['a statement on a released transaction', new QueryRunnerProviderAlreadyReleasedError()],
  ])('answers %s UNAVAILABLE', (_case, error) => {
    const outage = dependencyOutage(error);
    expect(outage?.kind).toBe('UNAVAILABLE');
    expect(outage?.code).toBe(ErrorCodes.UNAVAILABLE);
    expect(outage?.message).not.toMatch(/server says no|57P|ECONN/);
  });

  it.each([
    ['a unique violation', queryFailed(pgError('23505'))],
    ['a syntax error', queryFailed(pgError('42601'))],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a non-error', 'boom'],
    ['nothing', undefined],
  ])('leaves %s alone', (_case, error) => {
    expect(dependencyOutage(error)).toBeUndefined();
  });
});
