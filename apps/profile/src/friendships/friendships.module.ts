import { Module } from '@nestjs/common';
import { FriendEventsConsumer } from './friend-events.consumer';
import { FriendshipsRepository } from './friendships.repository';
import { FriendshipsResolver } from './friendships.resolver';
import { FriendshipsService } from './friendships.service';

/** The friendships read model: fed by friends' events, read through `Profile.friends`. */
@Module({
  controllers: [FriendEventsConsumer],
  providers: [FriendshipsRepository, FriendshipsService, FriendshipsResolver],
  exports: [FriendshipsService],
})
export class FriendshipsModule {}
