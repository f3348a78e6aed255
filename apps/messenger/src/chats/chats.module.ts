import { Module } from '@nestjs/common';
import { FriendsClientModule } from '../friends-client/friends-client.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { TimelineModule } from '../timeline/timeline.module';
import { ChatAccess } from './chat-access';
import { ChatsGateway } from './chats.gateway';
import { ChatsRepository } from './chats.repository';
import { ChatsService } from './chats.service';
import { MembershipCache } from './membership-cache';

/** Direct and group chats, their members and roles, and who may do what in them. */
@Module({
  imports: [FriendsClientModule, RealtimeModule, TimelineModule],
  providers: [ChatsGateway, ChatsService, ChatsRepository, ChatAccess, MembershipCache],
  exports: [ChatsRepository, ChatsService, ChatAccess, MembershipCache],
})
export class ChatsModule {}
