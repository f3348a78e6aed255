import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { APP_CONFIG, grpcClientOptions } from '@app/platform';
import type { AuthConfig } from '../config/auth.config';
import { GrpcNicknameReservations, PROFILE_GRPC_CLIENT } from './grpc-nickname-reservations';
import { NicknameReservations } from './nickname-reservations';

/** auth's gRPC client of profile, behind the {@link NicknameReservations} port. */
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
  providers: [{ provide: NicknameReservations, useClass: GrpcNicknameReservations }],
  exports: [NicknameReservations],
})
export class ProfileClientModule {}
