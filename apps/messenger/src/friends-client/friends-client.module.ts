import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { APP_CONFIG, grpcClientOptions } from '@app/platform';
import type { MessengerConfig } from '../config/messenger.config';
import { FriendshipChecker } from './friendship-checker';
import { FriendshipReplica } from './friendship-replica.repository';
import { FriendshipRevocations } from './friendship-revocations';
import { FRIENDS_GRPC_CLIENT, GrpcFriendshipChecker } from './grpc-friendship-checker';
import { ResilientFriendshipChecker } from './resilient-friendship-checker';

/**
 * messenger's view of friends behind the {@link FriendshipChecker} port: the gRPC client
 * with a circuit breaker, the local replica fed by `friends.*` events, and friends' early
 * announcements of unfriends and blocks that make the replica's "friends" doubtful. Not a
 * readiness check: friends being down must not take messenger out of rotation.
 */
@Module({
  imports: [
    ClientsModule.registerAsync([
      {
        name: FRIENDS_GRPC_CLIENT,
        inject: [APP_CONFIG],
        useFactory: (config: MessengerConfig) =>
          grpcClientOptions('friends', config.friends.grpcUrl, config.internalApiToken),
      },
    ]),
  ],
  providers: [
    GrpcFriendshipChecker,
    FriendshipReplica,
    FriendshipRevocations,
    { provide: FriendshipChecker, useClass: ResilientFriendshipChecker },
  ],
  exports: [FriendshipChecker, FriendshipReplica, FriendshipRevocations],
})
export class FriendsClientModule {}
