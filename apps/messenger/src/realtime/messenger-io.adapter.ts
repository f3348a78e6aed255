import {
  corsOptions,
  isAllowedOrigin,
  type RedisConnections,
  secureLibraryResponses,
} from '@app/platform';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { createAdapter } from '@socket.io/redis-adapter';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { from, isObservable, mergeAll, type Observable, of } from 'rxjs';
import type { Server, ServerOptions } from 'socket.io';
import type { LeanEvents } from './lean-events';

/** A socket as IoAdapter types it. */
type IoSocket = Parameters<IoAdapter['bindMessageHandlers']>[0];
type HandlerCallback = MessageMappingProperties['callback'];

/** One subscribed event: its listener, shared by every socket, and the slot it calls. */
interface SharedEvent {
  name: string;
  slot: number;
  isAckHandledManually: boolean;
  listener: (this: IoSocket, ...args: unknown[]) => void;
}

/** What the adapter needs from config. */
export interface MessengerIoOptions {
  corsOrigins: readonly string[];
  /** The service's Redis (RedisModule): the adapter's pub/sub connections come from it. */
  redis: RedisConnections;
  /**
   * The service's `REDIS_KEY_PREFIX`: the adapter's channels are `<prefix>:socket.io#…`, so
   * stacks sharing one Redis (dev, e2e, bench) never hear each other's broadcasts, while
   * the instances of one deployment — same prefix — share theirs.
   */
  keyPrefix: string;
  maxPayloadBytes: number;
  /** The hottest events' handlers, bound to every socket beside the gateways' (issue 17). */
  leanEvents: LeanEvents;
}

/**
 * socket.io on the service's HTTP server, set up from config (`@WebSocketGateway` options
 * are fixed at import time, before config is loaded):
 * - the Redis adapter, so `server.to(room).emit(...)` on one instance reaches sockets held
 *   by every other instance — rooms are per user, so nothing above this changes;
 * - the platform's CORS policy, and its Origin allowlist checked on every handshake
 *   request (CORS alone only binds browsers' XHR polling, not WebSocket upgrades);
 * - the platform's security headers on the answers engine.io writes itself (polling, and
 *   its 403 to a foreign Origin);
 * - `maxHttpBufferSize`: a bigger packet closes that socket, never the process;
 * - lean per-socket event handlers (see {@link bindMessageHandlers}), and the leaner
 *   {@link LeanEvents} of the hottest events beside them.
 */
export class MessengerIoAdapter extends IoAdapter {
  protected override readonly logger = new Logger(MessengerIoAdapter.name);
  /** Every subscribed event, in slot order; the same for every socket. */
  private readonly events: SharedEvent[] = [];
  /** Nest's handler callbacks of each socket, bound to it, by event slot. */
  private readonly callbacks = new WeakMap<IoSocket, (HandlerCallback | undefined)[]>();

  constructor(
    app: INestApplicationContext,
    private readonly options: MessengerIoOptions,
  ) {
    super(app);
  }

  // Nest passes the gateway's options, a partial set (socket.io fills in the rest), though
  // IoAdapter 12 types the parameter as the full ServerOptions.
  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const { corsOrigins, maxPayloadBytes } = this.options;
    const serverOptions: Partial<ServerOptions> = {
      ...options,
      cors: corsOptions(corsOrigins),
      maxHttpBufferSize: maxPayloadBytes,
      allowRequest: (
        request: IncomingMessage,
        callback: (error: string | null | undefined, success: boolean) => void,
      ) => callback(null, originAllowed(request, corsOrigins)),
    };
    const server = super.createIOServer(port, serverOptions as ServerOptions);
    // Polling answers and refusals are written by engine.io, not Express: the same headers.
    if (this.httpServer) secureLibraryResponses(this.httpServer as HttpServer, `${server.path()}/`);
    server.adapter(this.redisAdapter());
    return server;
  }

  /**
   * Binds the gateways' `@SubscribeMessage` handlers to a new socket without a closure per
   * socket and event. Nest's own version builds an rxjs pipeline per socket and event
   * (`fromEvent` → `mergeMap` → `takeUntil(disconnect$)` plus a subscription), which held
   * about 38 KiB per idle socket across messenger's eight events — nearly four times what
   * socket.io itself needs per connection (bench F); a plain closure per event still cost
   * ~1 KiB. Here each event has one listener shared by every socket (it finds its socket in
   * `this`, as Node's EventEmitter calls it) and a socket keeps only its array of Nest's
   * per-client handler callbacks, one slot per event. Listeners stay on the event itself
   * (not `onAny`), so socket.io's per-socket middlewares (the metrics timer) still run first.
   *
   * Behaviour is Nest's: the handler's result (after pipes, guards and filters, which live
   * in `callback`) is sent through the acknowledgement, or emitted when it is a
   * `{event, data}` response; `undefined`/`null` sends nothing.
   */
  override bindMessageHandlers(
    // Typed from IoAdapter: Nest bundles its own copy of socket.io's types.
    socket: IoSocket,
    handlers: MessageMappingProperties[],
    // Nest's result-to-Observable step; not kept, as it holds the first socket it was made
    // for (see {@link toObservable}).
    _transform: (data: unknown) => Observable<unknown>,
  ): void {
    if (handlers.length === 0) return;
    let callbacks = this.callbacks.get(socket);
    if (!callbacks) {
      // Sized from the sockets before, so the array is allocated once at its final length.
      callbacks = new Array<HandlerCallback | undefined>(this.events.length);
      this.callbacks.set(socket, callbacks);
      // A socket's first gateway: its lean events are bound once, with it.
      this.options.leanEvents.bind(socket);
    }
    for (const { message, callback, isAckHandledManually } of handlers) {
      const event = this.sharedEvent(message as string, callbacks, isAckHandledManually);
      callbacks[event.slot] = callback;
      socket.on(event.name, event.listener);
    }
  }

  /**
   * The shared listener of an event, with the slot of the socket's callback array it
   * calls; a second handler of the same event on one socket (two gateways subscribing to
   * one event, which Nest allows) gets a slot and a listener of its own.
   */
  private sharedEvent(
    name: string,
    callbacks: (HandlerCallback | undefined)[],
    isAckHandledManually: boolean,
  ): SharedEvent {
    let event = this.events.find((e) => e.name === name && callbacks[e.slot] === undefined);
    if (!event) {
      const slot = this.events.length;
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- the listener's `this` is the socket
      const adapter = this;
      event = {
        name,
        slot,
        isAckHandledManually,
        listener: function (this: IoSocket, ...args: unknown[]) {
          adapter.dispatch(this, adapter.events[slot], args);
        },
      };
      this.events.push(event);
    }
    return event;
  }

  private dispatch(socket: IoSocket, event: SharedEvent, args: unknown[]): void {
    const callback = this.callbacks.get(socket)?.[event.slot];
    if (!callback) return;
    // rxjs' fromEvent hands over one argument as is and several as an array.
    const payload = this.mapPayload(args.length === 1 ? args[0] : args) as {
      data: unknown;
      ack?: unknown;
    };
    const { data, ack } = payload;
    toObservable(callback(data, ack)).subscribe({
      next: (response) => {
        if (response === undefined || response === null) return;
        const reply = response as { event?: string; data?: unknown };
        if (reply.event) {
          socket.emit(reply.event, reply.data);
          return;
        }
        if (!event.isAckHandledManually && typeof ack === 'function') {
          (ack as (reply: unknown) => void)(response);
        }
      },
      // The exception filters answer domain and unexpected errors inside `callback`;
      // anything reaching this point escaped them and must not crash the process.
      error: (error: unknown) =>
        this.logger.error({ err: error, event: event.name }, 'unhandled event error'),
    });
  }

  private redisAdapter() {
    // Pub/sub needs its own connections: a subscribed ioredis client can issue nothing else.
    // The offline queue stays on here (unlike the shared client) so that SUBSCRIBE issued
    // before the connection is up is sent once it is. RedisModule closes them at shutdown,
    // after the server.
    const { redis, keyPrefix } = this.options;
    return createAdapter(redis.open('io-pub'), redis.open('io-sub'), {
      key: `${keyPrefix}:socket.io`,
    });
  }
}

/**
 * A handler's result as the Observable of its replies, as Nest's WebSocketsController
 * (`pickResult` + `mergeAll`) makes it: a promise is awaited, an Observable's values are
 * each a reply, anything else is the one reply. Nest hands its own version to
 * `bindMessageHandlers` per socket, but that closure holds the socket it was made for.
 */
export function toObservable(result: unknown): Observable<unknown> {
  const settled = Promise.resolve(result).then((value) =>
    isObservable(value) ? value : of(value),
  );
  return from(settled).pipe(mergeAll());
}

/**
 * Browsers always send `Origin`; it must be on the allowlist. Native and server clients
 * send none and are let through: the access token, not the origin, authenticates them.
 */
export function originAllowed(request: IncomingMessage, allowed: readonly string[]): boolean {
  return isAllowedOrigin(request.headers.origin, allowed);
}
