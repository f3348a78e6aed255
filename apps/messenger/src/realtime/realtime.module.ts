import { Module } from '@nestjs/common';
import { FriendsClientModule } from '../friends-client/friends-client.module';
import { ClientNotifier, SocketIoClientNotifier } from './client-notifier';
import { ConnectionGateway } from './connection.gateway';
import { ConnectionRegistry } from './connection-registry';
import { PresenceService } from './presence.service';
import { SocketRateLimiter } from './socket-rate-limiter';

/**
 * The socket.io edge shared by every feature: handshake authentication and limits, user
 * rooms, presence, per-socket rate limits and the {@link ClientNotifier} port features
 * push events through.
 */
@Module({
  imports: [FriendsClientModule],
  providers: [
    ConnectionGateway,
    SocketIoClientNotifier,
    { provide: ClientNotifier, useExisting: SocketIoClientNotifier },
    ConnectionRegistry,
    PresenceService,
    SocketRateLimiter,
  ],
  exports: [ClientNotifier, SocketRateLimiter, PresenceService],
})
export class RealtimeModule {}
