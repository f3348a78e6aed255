import { ErrorCodes } from '@app/contracts';
import { DomainError, MetricsService } from '@app/platform';
import type { AuthConfig } from '../config/auth.config';
import type { NicknameReservations } from '../profile-client/nickname-reservations';
import { RegistrationSweeperService } from './registration-sweeper.service';
import type { RegistrationsInProgressRepository } from './registrations-in-progress.repository';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

function setup() {
  const registrations = {
    abandonStale: jest.fn().mockResolvedValue(2),
    findAbandoned: jest.fn().mockResolvedValue([A, B]),
    forget: jest.fn().mockResolvedValue(undefined),
  } as unknown as jest.Mocked<RegistrationsInProgressRepository>;
  const nicknames = {
    release: jest.fn().mockResolvedValue(undefined),
  } as unknown as jest.Mocked<NicknameReservations>;
  const metrics = new MetricsService('auth');
  const sweeper = new RegistrationSweeperService(
    registrations,
    nicknames,
    { registrationSweep: { afterSeconds: 300, intervalSeconds: 60 } } as AuthConfig,
    metrics,
  );
  for (const level of ['log', 'warn'] as const) {
    jest.spyOn(sweeper['logger'], level).mockImplementation(() => undefined);
  }
  const counted = async (step: string) =>
    (await metrics.registry.getSingleMetric('auth_registration_sweeper_total')!.get()).values.find(
      (v) => v.labels.step === step,
    )?.value ?? 0;
  return { sweeper, registrations, nicknames, counted };
}

describe('RegistrationSweeperService', () => {
  it('abandons stale registrations, then releases their nicknames and forgets them', async () => {
    const { sweeper, registrations, nicknames, counted } = setup();

    await sweeper.sweep();

    expect(registrations.abandonStale).toHaveBeenCalledWith(300, 100);
    expect(nicknames.release.mock.calls).toEqual([[A], [B]]);
    expect(registrations.forget.mock.calls).toEqual([[A], [B]]);
    expect(await counted('abandoned')).toBe(2);
    expect(await counted('released')).toBe(2);
  });

  it('keeps a registration whose release failed, for the next sweep', async () => {
    const { sweeper, registrations, nicknames, counted } = setup();
    nicknames.release.mockRejectedValueOnce(
      new DomainError('UNAVAILABLE', ErrorCodes.UNAVAILABLE, 'profile down'),
    );

    await expect(sweeper.sweep()).resolves.toBeUndefined();

    expect(registrations.forget).not.toHaveBeenCalled();
    expect(await counted('released')).toBe(0);
  });

  it('does not release before the registration is abandoned on the log', async () => {
    const { sweeper, registrations, nicknames } = setup();
    registrations.abandonStale.mockRejectedValue(new Error('database down'));

    await sweeper.sweep();

    expect(registrations.findAbandoned).not.toHaveBeenCalled();
    expect(nicknames.release).not.toHaveBeenCalled();
  });
});
