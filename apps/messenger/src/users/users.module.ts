import { Module } from '@nestjs/common';
import { ChatsModule } from '../chats/chats.module';
import { FriendsClientModule } from '../friends-client/friends-client.module';
import { MessagesModule } from '../messages/messages.module';
import { UserEventsConsumer } from './user-events.consumer';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Users as messenger knows them: a name replica, and erasure when an account goes. */
@Module({
  imports: [ChatsModule, MessagesModule, FriendsClientModule],
  controllers: [UserEventsConsumer],
  providers: [UsersService, UsersRepository],
})
export class UsersModule {}
