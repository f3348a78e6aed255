import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { IncomingMessage } from 'node:http';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

/** What the adapter needs from config. */
export interface MessengerIoOptions {
  corsOrigins: '*' | string[];
  redisUrl: string;
  maxPayloadBytes: number;
}

/**
 * socket.io on the service's HTTP server, set up from config (`@WebSocketGateway` options
 * are fixed at import time, before config is loaded):
 * - the Redis adapter, so `server.to(room).emit(...)` on one instance reaches sockets held
 *   by every other instance — rooms are per user, so nothing above this changes;
 * - the Origin allowlist, checked on every handshake request (CORS alone only binds
 *   browsers' XHR polling, not WebSocket upgrades);
 * - `maxHttpBufferSize`: a bigger packet closes that socket, never the process.
 */
export class MessengerIoAdapter extends IoAdapter {
  private readonly logger = new Logger(MessengerIoAdapter.name);
  private readonly redisClients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly options: MessengerIoOptions,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const { corsOrigins, maxPayloadBytes } = this.options;
    const server = super.createIOServer(port, {
      ...options,
      cors: { origin: corsOrigins, methods: ['GET', 'POST'] },
      maxHttpBufferSize: maxPayloadBytes,
      allowRequest: (
        request: IncomingMessage,
        callback: (error: string | null | undefined, success: boolean) => void,
      ) => callback(null, originAllowed(request, corsOrigins)),
    }) as Server;
    server.adapter(this.redisAdapter());
    return server;
  }

  // Typed from IoAdapter: Nest bundles its own copy of socket.io's types.
  override async close(server: Parameters<IoAdapter['close']>[0]): Promise<void> {
    await super.close(server);
    await Promise.all(
      this.redisClients.map((client) => client.quit().catch(() => client.disconnect())),
    );
  }

  private redisAdapter() {
    // Pub/sub needs its own connections: a subscribed ioredis client can issue nothing else.
    // The offline queue stays on here (unlike the shared client) so that SUBSCRIBE issued
    // before the connection is up is sent once it is.
    const pub = new Redis(this.options.redisUrl, { connectionName: 'messenger-io-pub' });
    const sub = pub.duplicate({ connectionName: 'messenger-io-sub' });
    for (const client of [pub, sub]) {
      client.on('error', (error: Error) =>
        this.logger.warn(`socket.io Redis adapter connection error: ${error.message}`),
      );
      this.redisClients.push(client);
    }
    return createAdapter(pub, sub);
  }
}

/**
 * Browsers always send `Origin`; it must be on the allowlist. Native and server clients
 * send none and are let through: the access token, not the origin, authenticates them.
 */
export function originAllowed(request: IncomingMessage, allowed: '*' | string[]): boolean {
  const origin = request.headers.origin;
  if (allowed === '*' || origin === undefined) return true;
  return allowed.includes(origin);
}
