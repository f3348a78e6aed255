import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, DomainError, MetricsService } from '@app/platform';
import CircuitBreaker from 'opossum';
import { Gauge } from 'prom-client';
import type { AuthConfig } from '../config/auth.config';
import { GrpcNicknameReservations } from './grpc-nickname-reservations';
import { NicknameReservations, ProfileNotCalledError } from './nickname-reservations';

/** Values of the `auth_profile_circuit_state` gauge. */
export const CircuitState = { closed: 0, halfOpen: 1, open: 2 } as const;

/**
 * The {@link NicknameReservations} the app uses: profile's gRPC API through a circuit
 * breaker (as messenger guards its calls to friends). While profile fails, a few calls
 * open the circuit and registrations then fail at once with UNAVAILABLE instead of each
 * waiting out the gRPC deadline; after `PROFILE_BREAKER_RESET_MS` one trial call goes
 * through (half-open) and its success closes the circuit. Only profile being unreachable
 * counts as a failure: a taken or invalid nickname is an answer.
 */
@Injectable()
export class ResilientNicknameReservations extends NicknameReservations implements OnModuleDestroy {
  private readonly logger = new Logger(ResilientNicknameReservations.name);
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;

  constructor(
    private readonly remote: GrpcNicknameReservations,
    @Inject(APP_CONFIG) config: AuthConfig,
    metrics: MetricsService,
  ) {
    super();
    // One breaker for every call to profile: when it is down, it is down for all of them.
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      // The gRPC call has its own deadline; opossum only counts failures.
      timeout: false,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeout: config.profileBreaker.resetMs,
      errorFilter: (error: unknown) => !isUnavailable(error),
    });
    const breaker = this.breaker;
    new Gauge({
      name: 'auth_profile_circuit_state',
      help: 'Circuit breaker on calls to profile: 0 closed, 1 half-open (one trial call), 2 open',
      registers: [metrics.registry],
      collect() {
        this.set(
          breaker.opened
            ? CircuitState.open
            : breaker.halfOpen
              ? CircuitState.halfOpen
              : CircuitState.closed,
        );
      },
    });
    this.breaker.on('open', () =>
      this.logger.warn('profile circuit open: registrations fail fast until profile answers'),
    );
    this.breaker.on('halfOpen', () => this.logger.log('profile circuit half-open: one trial call'));
    this.breaker.on('close', () => this.logger.log('profile circuit closed'));
  }

  reserve(userId: string, nickname: string): Promise<'reserved' | 'taken'> {
    return this.guarded(() => this.remote.reserve(userId, nickname));
  }

  release(userId: string): Promise<void> {
    return this.guarded(() => this.remote.release(userId));
  }

  releaseDeleted(userId: string): Promise<void> {
    return this.guarded(() => this.remote.releaseDeleted(userId));
  }

  onModuleDestroy(): void {
    this.breaker.shutdown();
  }

  private async guarded<T>(call: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(call)) as T;
    } catch (error) {
      // Opossum's own refusals (open circuit, a half-open trial already in flight) are
      // the contract's UNAVAILABLE, which clients may retry.
      if (error instanceof DomainError) throw error;
      if (isOpossumRefusal(error)) throw new ProfileNotCalledError();
      throw error;
    }
  }
}

/** What the gRPC adapter throws when profile cannot be reached or gave no answer. */
function isUnavailable(error: unknown): boolean {
  return error instanceof DomainError && error.kind === 'UNAVAILABLE';
}

function isOpossumRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EOPENBREAKER' || code === 'ESEMLOCKED' || code === 'ESHUTDOWN';
}
