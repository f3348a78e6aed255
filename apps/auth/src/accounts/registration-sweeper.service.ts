import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, MetricsService } from '@app/platform';
import { Counter } from 'prom-client';
import type { AuthConfig } from '../config/auth.config';
import { NicknameReservations } from '../profile-client/nickname-reservations';
import { RegistrationsInProgressRepository } from './registrations-in-progress.repository';

/** Registrations abandoned, and nicknames released, per sweep at most. */
const SWEEP_BATCH = 100;

/**
 * Finishes registrations whose process died mid-saga (ADR 0026): one still in progress
 * after `REGISTRATION_SWEEP_AFTER` seconds is abandoned — from then on its transaction can
 * no longer commit ({@link RegistrationsInProgressRepository.complete}) — and its nickname
 * reservation in profile is released, retried on later sweeps until profile answers. A
 * registration that committed has no row left, so its nickname is never touched. Every
 * instance sweeps; rows one instance holds are skipped by the others, and releasing is
 * idempotent.
 */
@Injectable()
export class RegistrationSweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RegistrationSweeperService.name);
  private readonly swept: Counter<'step'>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly registrations: RegistrationsInProgressRepository,
    private readonly nicknames: NicknameReservations,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
    metrics: MetricsService,
  ) {
    this.swept = new Counter({
      name: 'auth_registration_sweeper_total',
      help:
        'Registrations the sweeper abandoned (their process died mid-saga), and nickname ' +
        'reservations it released in profile for them',
      labelNames: ['step'],
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      // A sweep slower than the interval is not started twice.
      this.running ??= this.sweep().finally(() => (this.running = undefined));
    }, this.config.registrationSweep.intervalSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep; failures are logged and left to the next. */
  async sweep(): Promise<void> {
    try {
      const abandoned = await this.registrations.abandonStale(
        this.config.registrationSweep.afterSeconds,
        SWEEP_BATCH,
      );
      if (abandoned > 0) {
        this.swept.inc({ step: 'abandoned' }, abandoned);
        this.logger.warn({ abandoned }, 'Abandoned registrations left unfinished by their process');
      }
      for (const userId of await this.registrations.findAbandoned(SWEEP_BATCH)) {
        await this.nicknames.release(userId);
        await this.registrations.forget(userId);
        this.swept.inc({ step: 'released' });
        this.logger.log({ userId }, 'Released the nickname of an abandoned registration');
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Registration sweep incomplete; the next one retries');
    }
  }
}
