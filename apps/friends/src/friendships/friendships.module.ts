import { Module } from '@nestjs/common';
import { FriendshipsController } from './friendships.controller';
import { FriendshipsGrpcController } from './friendships.grpc.controller';
import { FriendshipsRepository } from './friendships.repository';
import { FriendshipsService } from './friendships.service';

/** Confirmed friendships: the REST list and the internal gRPC API. */
@Module({
  controllers: [FriendshipsController, FriendshipsGrpcController],
  providers: [FriendshipsService, FriendshipsRepository],
  exports: [FriendshipsRepository],
})
export class FriendshipsModule {}
