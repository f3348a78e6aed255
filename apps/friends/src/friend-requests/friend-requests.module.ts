import { Module } from '@nestjs/common';
import { PairsModule } from '../pairs/pairs.module';
import { UsersModule } from '../users/users.module';
import { FriendRequestsController } from './friend-requests.controller';
import { FriendRequestsRepository } from './friend-requests.repository';
import { FriendRequestsService } from './friend-requests.service';

/** Sending, accepting and declining friend requests. */
@Module({
  imports: [UsersModule, PairsModule],
  controllers: [FriendRequestsController],
  providers: [FriendRequestsService, FriendRequestsRepository],
})
export class FriendRequestsModule {}
