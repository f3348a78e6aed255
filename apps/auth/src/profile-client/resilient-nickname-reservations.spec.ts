import { ErrorCodes } from '@app/contracts';
import { DomainError, MetricsService } from '@app/platform';
import type { AuthConfig } from '../config/auth.config';
import type { GrpcNicknameReservations } from './grpc-nickname-reservations';
import { ProfileNotCalledError } from './nickname-reservations';
import { CircuitState, ResilientNicknameReservations } from './resilient-nickname-reservations';

const USER = '5d1e2c1a-7f0e-4b8e-9a55-0c1f1c0b6a11';
const RESET_MS = 100;

const unavailable = () => new DomainError('UNAVAILABLE', ErrorCodes.UNAVAILABLE, 'profile down');

function setup() {
  const remote = {
    reserve: jest.fn(),
    release: jest.fn(),
    releaseDeleted: jest.fn(),
  } as unknown as jest.Mocked<GrpcNicknameReservations>;
  const metrics = new MetricsService('auth');
  const reservations = new ResilientNicknameReservations(
    remote,
    { profileBreaker: { resetMs: RESET_MS } } as AuthConfig,
    metrics,
  );
  jest.spyOn(reservations['logger'], 'warn').mockImplementation(() => undefined);
  jest.spyOn(reservations['logger'], 'log').mockImplementation(() => undefined);
  const state = async () =>
    (await metrics.registry.getSingleMetric('auth_profile_circuit_state')!.get()).values[0].value;
  return { reservations, remote, state };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ResilientNicknameReservations', () => {
  it('passes answers through, a taken or invalid nickname included, without opening', async () => {
    const { reservations, remote, state } = setup();
    remote.reserve.mockResolvedValue('taken');
    const invalid = new DomainError('INVALID_ARGUMENT', ErrorCodes.VALIDATION_FAILED, 'bad');

    for (let i = 0; i < 5; i += 1) {
      await expect(reservations.reserve(USER, 'alice')).resolves.toBe('taken');
    }
    remote.reserve.mockRejectedValue(invalid);
    for (let i = 0; i < 5; i += 1) {
      await expect(rejection(reservations.reserve(USER, '!'))).resolves.toBe(invalid);
    }

    expect(remote.reserve).toHaveBeenCalledTimes(10);
    expect(await state()).toBe(CircuitState.closed);
    reservations.onModuleDestroy();
  });

  it('opens after failures, fails fast with UNAVAILABLE, then closes through half-open', async () => {
    const { reservations, remote, state } = setup();
    remote.reserve.mockRejectedValue(unavailable());
    remote.release.mockRejectedValue(unavailable());

    // volumeThreshold 3 at 50% errors: the third failure opens the circuit. Every call to
    // profile counts, releases as well as reservations.
    await rejection(reservations.reserve(USER, 'alice'));
    await rejection(reservations.release(USER));
    await rejection(reservations.reserve(USER, 'alice'));
    expect(await state()).toBe(CircuitState.open);

    // Open: profile is not called, and the caller gets the contract's UNAVAILABLE.
    const refused = await rejection(reservations.reserve(USER, 'alice'));
    expect(refused).toBeInstanceOf(ProfileNotCalledError);
    expect(refused).toMatchObject({ kind: 'UNAVAILABLE', code: ErrorCodes.UNAVAILABLE });
    expect(remote.reserve).toHaveBeenCalledTimes(2);

    // After the reset timeout one trial call goes through; a failure opens it again.
    await sleep(RESET_MS + 50);
    expect(await state()).toBe(CircuitState.halfOpen);
    await rejection(reservations.reserve(USER, 'alice'));
    expect(remote.reserve).toHaveBeenCalledTimes(3);
    expect(await state()).toBe(CircuitState.open);

    // Profile is back: the next trial succeeds and closes the circuit for everyone.
    await sleep(RESET_MS + 50);
    expect(await state()).toBe(CircuitState.halfOpen);
    remote.reserve.mockResolvedValue('reserved');
    remote.release.mockResolvedValue(undefined);
    await expect(reservations.reserve(USER, 'alice')).resolves.toBe('reserved');
    expect(await state()).toBe(CircuitState.closed);
    await expect(reservations.release(USER)).resolves.toBeUndefined();
    await expect(reservations.reserve(USER, 'bob')).resolves.toBe('reserved');
    expect(remote.reserve).toHaveBeenCalledTimes(5);
    reservations.onModuleDestroy();
  });

  it('lets a single trial call through while half-open', async () => {
    const { reservations, remote } = setup();
    remote.reserve.mockRejectedValue(unavailable());
    for (let i = 0; i < 3; i += 1) await rejection(reservations.reserve(USER, 'alice'));
    await sleep(RESET_MS + 50);

    let answer!: (value: 'reserved') => void;
    remote.reserve.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const trial = reservations.reserve(USER, 'alice');
    const second = await rejection(reservations.reserve(USER, 'bob'));

    expect(second).toMatchObject({ kind: 'UNAVAILABLE', code: ErrorCodes.UNAVAILABLE });
    answer('reserved');
    await expect(trial).resolves.toBe('reserved');
    expect(remote.reserve).toHaveBeenCalledTimes(4);
    reservations.onModuleDestroy();
  });
});
