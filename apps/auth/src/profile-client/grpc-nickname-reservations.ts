import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { ClientGrpc } from '@nestjs/microservices';
import { ErrorCodes, ProfileV1 } from '@app/contracts';
import { APP_CONFIG, DomainError } from '@app/platform';
import { type CallOptions, Metadata, status } from '@grpc/grpc-js';
import { lastValueFrom, Observable, timeout } from 'rxjs';
import type { AuthConfig } from '../config/auth.config';
import { NicknameReservations } from './nickname-reservations';

/** Injection token of the Nest gRPC client of `profile.v1`. */
export const PROFILE_GRPC_CLIENT = Symbol('PROFILE_GRPC_CLIENT');

/**
 * Nest's gRPC client methods forward extra arguments to grpc-js, which takes call options
 * (the deadline) third; ts-proto's client interface just does not declare them.
 */
type UnaryWithOptions<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: CallOptions,
) => Observable<Res>;

/** {@link NicknameReservations} over `profile.v1.ProfileService`. */
@Injectable()
export class GrpcNicknameReservations extends NicknameReservations implements OnModuleInit {
  private profile!: ProfileV1.ProfileServiceClient;

  constructor(
    @Inject(PROFILE_GRPC_CLIENT) private readonly client: ClientGrpc,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.profile = this.client.getService<ProfileV1.ProfileServiceClient>(
      ProfileV1.PROFILE_SERVICE_NAME,
    );
  }

  async reserve(userId: string, nickname: string): Promise<'reserved' | 'taken'> {
    try {
      const response = await this.call(this.profile.reserveNickname.bind(this.profile), {
        userId,
        nickname,
      });
      return response.reserved ? 'reserved' : 'taken';
    } catch (error) {
      const code = grpcCode(error);
      if (code === status.ALREADY_EXISTS) return 'taken';
      if (code === status.INVALID_ARGUMENT) {
        throw new DomainError(
          'INVALID_ARGUMENT',
          ErrorCodes.VALIDATION_FAILED,
          grpcMessage(error),
          [{ field: 'nickname', message: grpcMessage(error) }],
        );
      }
      throw profileUnavailable();
    }
  }

  async release(userId: string): Promise<void> {
    try {
      await this.call(this.profile.releaseNickname.bind(this.profile), { userId });
    } catch {
      throw profileUnavailable();
    }
  }

  /** One unary call with a deadline grpc-js enforces and the server sees. */
  private call<Req, Res>(method: UnaryWithOptions<Req, Res>, request: Req): Promise<Res> {
    const ms = this.config.grpcDeadlineMs;
    // rxjs timeout backs up the gRPC deadline should a call hang before it is sent.
    return lastValueFrom(
      method(request, new Metadata(), { deadline: Date.now() + ms }).pipe(timeout(ms + 500)),
    );
  }
}

const profileUnavailable = (): DomainError =>
  new DomainError(
    'UNAVAILABLE',
    ErrorCodes.UNAVAILABLE,
    'Registration is temporarily unavailable, try again',
  );

function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function grpcMessage(error: unknown): string {
  const details = (error as { details?: unknown } | null)?.details;
  return typeof details === 'string' && details ? details : 'nickname is invalid';
}
