import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ClientGrpc } from '@nestjs/microservices';
import { ErrorCodes, ProfileV1 } from '@app/contracts';
import { APP_CONFIG, callWithDeadline, DomainError, validationFailed } from '@app/platform';
import { status } from '@grpc/grpc-js';
import type { AuthConfig } from '../config/auth.config';
import { NicknameReservations } from './nickname-reservations';

/** Injection token of the Nest gRPC client of `profile.v1`. */
export const PROFILE_GRPC_CLIENT = Symbol('PROFILE_GRPC_CLIENT');

/** {@link NicknameReservations} over `profile.v1.ProfileService`. */
@Injectable()
export class GrpcNicknameReservations extends NicknameReservations implements OnModuleInit {
  private readonly logger = new Logger(GrpcNicknameReservations.name);
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
      const response = await callWithDeadline(
        this.profile.reserveNickname.bind(this.profile),
        { userId, nickname },
        this.config.grpcDeadlineMs,
      );
      return response.reserved ? 'reserved' : 'taken';
    } catch (error) {
      const code = grpcCode(error);
      if (code === status.ALREADY_EXISTS) return 'taken';
      if (code === status.INVALID_ARGUMENT) {
        throw validationFailed(
          [{ field: 'nickname', message: grpcMessage(error) }],
          grpcMessage(error),
        );
      }
      this.logger.warn({ err: error }, 'profile.v1.ProfileService/ReserveNickname failed');
      throw profileUnavailable();
    }
  }

  async release(userId: string): Promise<void> {
    try {
      await callWithDeadline(
        this.profile.releaseNickname.bind(this.profile),
        { userId },
        this.config.grpcDeadlineMs,
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'profile.v1.ProfileService/ReleaseNickname failed');
      throw profileUnavailable();
    }
  }

  async releaseDeleted(userId: string): Promise<void> {
    try {
      await callWithDeadline(
        this.profile.eraseUser.bind(this.profile),
        { userId },
        this.config.grpcDeadlineMs,
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'profile.v1.ProfileService/EraseUser failed');
      throw profileUnavailable();
    }
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
