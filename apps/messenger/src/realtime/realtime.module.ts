import { Module } from '@nestjs/common';
import { ClientNotifier, SocketIoClientNotifier } from './client-notifier';
import { ConnectionGateway } from './connection.gateway';

/**
 * The socket.io edge shared by every feature: handshake authentication, user rooms and
 * the {@link ClientNotifier} port features push events through.
 */
@Module({
  providers: [
    ConnectionGateway,
    SocketIoClientNotifier,
    { provide: ClientNotifier, useExisting: SocketIoClientNotifier },
  ],
  exports: [ClientNotifier],
})
export class RealtimeModule {}
