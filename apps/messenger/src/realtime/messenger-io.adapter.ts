import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';

/**
 * socket.io on the service's HTTP server with CORS from config: `@WebSocketGateway`
 * options are fixed at import time, before config is loaded, so the allowlist is applied
 * here instead.
 */
export class MessengerIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly corsOrigins: '*' | string[],
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    return super.createIOServer(port, {
      ...options,
      cors: { origin: this.corsOrigins, methods: ['GET', 'POST'] },
    }) as Server;
  }
}
