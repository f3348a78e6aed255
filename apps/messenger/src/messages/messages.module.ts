import { Module } from '@nestjs/common';
import { ChatsModule } from '../chats/chats.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { MessagesGateway } from './messages.gateway';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';

/** Messages: sending, numbering, delivery and history. */
@Module({
  imports: [ChatsModule, RealtimeModule],
  providers: [MessagesGateway, MessagesService, MessagesRepository],
  exports: [MessagesRepository],
})
export class MessagesModule {}
