import { Module } from '@nestjs/common';
import { BlocksModule } from '../blocks/blocks.module';
import { PairsModule } from '../pairs/pairs.module';
import { FriendshipsController } from './friendships.controller';
import { FriendshipsGrpcController } from './friendships.grpc.controller';
import { FriendshipsRepository } from './friendships.repository';
import { FriendshipsService } from './friendships.service';

/** Confirmed friendships: the REST list, unfriending and the internal gRPC API. */
@Module({
  imports: [PairsModule, BlocksModule],
  controllers: [FriendshipsController, FriendshipsGrpcController],
  providers: [FriendshipsService, FriendshipsRepository],
})
export class FriendshipsModule {}
