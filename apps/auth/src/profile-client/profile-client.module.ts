import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { APP_CONFIG, grpcClientOptions } from '@app/platform';
import type { AuthConfig } from '../config/auth.config';
import { GrpcNicknameReservations, PROFILE_GRPC_CLIENT } from './grpc-nickname-reservations';
import { NicknameReservations } from './nickname-reservations';
import { ResilientNicknameReservations } from './resilient-nickname-reservations';

/**
 * auth's gRPC client of profile, with a circuit breaker, behind the
 * {@link NicknameReservations} port.
 */
@Module({
  imports: [
    ClientsModule.registerAsync([
      {
        name: PROFILE_GRPC_CLIENT,
        inject: [APP_CONFIG],
        useFactory: (config: AuthConfig) =>
          grpcClientOptions('profile', config.profile.grpcUrl, config.internalApiToken),
      },
    ]),
  ],
  providers: [
    GrpcNicknameReservations,
    { provide: NicknameReservations, useClass: ResilientNicknameReservations },
  ],
  exports: [NicknameReservations],
})
export class ProfileClientModule {}
