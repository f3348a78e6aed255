import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { GrpcPackages, PROTO_LOADER_OPTIONS, PROTO_ROOT } from '@app/contracts';
import { APP_CONFIG } from '@app/platform';
import { join } from 'node:path';
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
        useFactory: (config: AuthConfig) => ({
          transport: Transport.GRPC,
          options: {
            package: GrpcPackages.profile.package,
            protoPath: join(PROTO_ROOT, GrpcPackages.profile.protoPath),
            url: config.profile.grpcUrl,
            loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] },
          },
        }),
      },
    ]),
  ],
  providers: [{ provide: NicknameReservations, useClass: GrpcNicknameReservations }],
  exports: [NicknameReservations],
})
export class ProfileClientModule {}
