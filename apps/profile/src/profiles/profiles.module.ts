import { Module } from '@nestjs/common';
import { ProfilesGrpcController } from './profiles.grpc.controller';
import { ProfilesRepository } from './profiles.repository';
import { ProfilesResolver } from './profiles.resolver';
import { ProfilesService } from './profiles.service';
import { UserEventsConsumer } from './user-events.consumer';

/** Profiles: GraphQL queries, the internal gRPC API and auth's lifecycle events. */
@Module({
  controllers: [ProfilesGrpcController, UserEventsConsumer],
  providers: [ProfilesService, ProfilesRepository, ProfilesResolver],
})
export class ProfilesModule {}
