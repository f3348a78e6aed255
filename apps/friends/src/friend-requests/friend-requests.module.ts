import { Module } from '@nestjs/common';
import { FriendshipsModule } from '../friendships/friendships.module';
import { UsersModule } from '../users/users.module';
import { FriendRequestsController } from './friend-requests.controller';
import { FriendRequestsRepository } from './friend-requests.repository';
import { FriendRequestsService } from './friend-requests.service';

/** Sending and accepting friend requests. */
@Module({
  imports: [UsersModule, FriendshipsModule],
  controllers: [FriendRequestsController],
  providers: [FriendRequestsService, FriendRequestsRepository],
})
export class FriendRequestsModule {}
