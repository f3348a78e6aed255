import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { APP_CONFIG, grpcClientOptions } from '@app/platform';
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
        useFactory: (config: MessengerConfig) =>
          grpcClientOptions('friends', config.friends.grpcUrl),
      },
    ]),
  ],
  providers: [{ provide: FriendshipChecker, useClass: GrpcFriendshipChecker }],
  exports: [FriendshipChecker],
})
export class FriendsClientModule {}
