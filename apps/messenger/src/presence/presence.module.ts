import { Module } from '@nestjs/common';
import { ChatsModule } from '../chats/chats.module';
import { FriendsClientModule } from '../friends-client/friends-client.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { PresenceGateway } from './presence.gateway';

/** Asking who is online (the pushes come from the realtime edge as sockets open and close). */
@Module({
  imports: [RealtimeModule, FriendsClientModule, ChatsModule],
  providers: [PresenceGateway],
})
export class PresenceModule {}
