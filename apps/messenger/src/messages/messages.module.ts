import { Module } from '@nestjs/common';
import { ChatsModule } from '../chats/chats.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { TimelineModule } from '../timeline/timeline.module';
import { MessagesGateway } from './messages.gateway';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';

/** Messages: sending, editing, deleting, reactions, delivery, history, search and catch-up. */
@Module({
  imports: [ChatsModule, RealtimeModule, TimelineModule],
  providers: [MessagesGateway, MessagesService, MessagesRepository],
  exports: [MessagesRepository],
})
export class MessagesModule {}
