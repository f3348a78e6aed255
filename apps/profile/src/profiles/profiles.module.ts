import { Module } from '@nestjs/common';
import { FriendshipsModule } from '../friendships/friendships.module';
import { LiveModule } from '../live/live.module';
import { ProfilesGrpcController } from './profiles.grpc.controller';
import { ProfilesRepository } from './profiles.repository';
import { ProfilesResolver } from './profiles.resolver';
import { ProfilesService } from './profiles.service';
import { UserErasureService } from './user-erasure.service';
import { UserEventsConsumer } from './user-events.consumer';

/** Profiles: the GraphQL API, the internal gRPC API and auth's lifecycle events. */
@Module({
  imports: [FriendshipsModule, LiveModule],
  controllers: [ProfilesGrpcController, UserEventsConsumer],
  providers: [ProfilesService, ProfilesRepository, ProfilesResolver, UserErasureService],
})
export class ProfilesModule {}
