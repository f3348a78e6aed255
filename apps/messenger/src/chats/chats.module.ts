import { Module } from '@nestjs/common';
import { FriendsClientModule } from '../friends-client/friends-client.module';
import { ChatsGateway } from './chats.gateway';
import { ChatsRepository } from './chats.repository';
import { ChatsService } from './chats.service';

/** Direct and group chats and their members. */
@Module({
  imports: [FriendsClientModule],
  providers: [ChatsGateway, ChatsService, ChatsRepository],
  exports: [ChatsRepository],
})
export class ChatsModule {}
