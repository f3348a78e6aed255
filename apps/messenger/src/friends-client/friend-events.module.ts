import { Module } from '@nestjs/common';
import { ChatsModule } from '../chats/chats.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { FriendsClientModule } from './friends-client.module';
import { FriendshipEventsConsumer } from './friendship-events.consumer';

/**
 * The `friends.*` consumer: it feeds the replica (FriendsClientModule) and pushes to
 * sockets (RealtimeModule), which itself reads the replica — hence a module of its own.
 */
@Module({
  imports: [FriendsClientModule, RealtimeModule, ChatsModule],
  controllers: [FriendshipEventsConsumer],
})
export class FriendEventsModule {}
