import { Module } from '@nestjs/common';
import { FriendsClientModule } from '../friends-client/friends-client.module';
import { ClientNotifier, SocketIoClientNotifier } from './client-notifier';
import { ConnectionGateway } from './connection.gateway';
import { ConnectionRegistry } from './connection-registry';
import { LeanEvents } from './lean-events';
import { PresenceService } from './presence.service';
import { SocketRateLimiter } from './socket-rate-limiter';

/**
 * The socket.io edge shared by every feature: handshake authentication and limits, user
 * rooms, presence, per-socket rate limits, the {@link ClientNotifier} port features
 * push events through and the {@link LeanEvents} of the hottest events.
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
    LeanEvents,
  ],
  exports: [ClientNotifier, SocketRateLimiter, PresenceService, LeanEvents],
})
export class RealtimeModule {}
