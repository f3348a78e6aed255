import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { GrpcPackages, PROTO_LOADER_OPTIONS, PROTO_ROOT } from '@app/contracts';
import { APP_CONFIG } from '@app/platform';
import { join } from 'node:path';
import type { MessengerConfig } from '../config/messenger.config';
import { FriendshipChecker } from './friendship-checker';
import { FRIENDS_GRPC_CLIENT, GrpcFriendshipChecker } from './grpc-friendship-checker';

/**
 * messenger's gRPC client of friends, behind the {@link FriendshipChecker} port. Not a
 * readiness check: friends being down must not take messenger out of rotation.
 */
@Module({
  imports: [
    ClientsModule.registerAsync([
      {
        name: FRIENDS_GRPC_CLIENT,
        inject: [APP_CONFIG],
        useFactory: (config: MessengerConfig) => ({
          transport: Transport.GRPC,
          options: {
            package: GrpcPackages.friends.package,
            protoPath: join(PROTO_ROOT, GrpcPackages.friends.protoPath),
            url: config.friends.grpcUrl,
            loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] },
          },
        }),
      },
    ]),
  ],
  providers: [{ provide: FriendshipChecker, useClass: GrpcFriendshipChecker }],
  exports: [FriendshipChecker],
})
export class FriendsClientModule {}
