import { OnModuleInit, UseFilters } from '@nestjs/common';
import { ConnectedSocket, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { SocketApi } from '@app/contracts';
import { ok } from '../realtime/ack';
import { LeanEvents } from '../realtime/lean-events';
import { Payload } from '../realtime/socket-payload.pipe';
import { SocketRateLimiter } from '../realtime/socket-rate-limiter';
import { type AuthenticatedSocket, type SocketIdentity, SocketUser } from '../realtime/socket-user';
import { WsAckExceptionFilter } from '../realtime/ws-ack-exception.filter';
import { MessagesService } from './messages.service';

type In<E extends SocketApi.ClientEventName> = SocketApi.ValidClientPayload<E>;
type Out<E extends SocketApi.ClientEventName> = { ok: true } & SocketApi.AckBody<E>;

/**
 * `message:*`, `reaction:*`, `typing` and `sync` events, each answered through its
 * acknowledgement; payloads and answers are the socket API contract's. Writes that a
 * sender could flood (sends, edits, reactions, typing) take a token from the socket's
 * rate bucket first. The two hottest, `message:send` and `typing`, take the lean path
 * ({@link LeanEvents}): the same checks and answers without Nest's per-event chain.
 */
@WebSocketGateway()
@UseFilters(WsAckExceptionFilter)
export class MessagesGateway implements OnModuleInit {
  constructor(
    private readonly messages: MessagesService,
    private readonly rateLimiter: SocketRateLimiter,
    private readonly lean: LeanEvents,
  ) {}

  onModuleInit(): void {
    this.lean.handle('message:send', (socket, input) => this.send(socket, input));
    this.lean.handle('typing', (socket, input) => this.typing(socket, input));
  }

  async send(socket: AuthenticatedSocket, input: In<'message:send'>): Promise<Out<'message:send'>> {
    this.rateLimiter.take(socket.id);
    return ok({ message: await this.messages.send(socket.data.user.userId, input) });
  }

  @SubscribeMessage('message:edit')
  async edit(
    @ConnectedSocket() socket: AuthenticatedSocket,
    @SocketUser() user: SocketIdentity,
    @Payload('message:edit') input: In<'message:edit'>,
  ): Promise<Out<'message:edit'>> {
    this.rateLimiter.take(socket.id);
    return ok({ message: await this.messages.edit(user.userId, input) });
  }

  @SubscribeMessage('message:delete')
  async delete(
    @ConnectedSocket() socket: AuthenticatedSocket,
    @SocketUser() user: SocketIdentity,
    @Payload('message:delete') input: In<'message:delete'>,
  ): Promise<Out<'message:delete'>> {
    this.rateLimiter.take(socket.id);
    await this.messages.delete(user.userId, input);
    return ok({});
  }

  @SubscribeMessage('message:get')
  async get(
    @SocketUser() user: SocketIdentity,
    @Payload('message:get') input: In<'message:get'>,
  ): Promise<Out<'message:get'>> {
    return ok({ message: await this.messages.get(user.userId, input) });
  }

  @SubscribeMessage('message:history')
  async history(
    @SocketUser() user: SocketIdentity,
    @Payload('message:history') input: In<'message:history'>,
  ): Promise<Out<'message:history'>> {
    return ok({ messages: await this.messages.history(user.userId, input) });
  }

  @SubscribeMessage('message:search')
  async search(
    @SocketUser() user: SocketIdentity,
    @Payload('message:search') input: In<'message:search'>,
  ): Promise<Out<'message:search'>> {
    return ok({ messages: await this.messages.search(user.userId, input) });
  }

  @SubscribeMessage('reaction:add')
  async addReaction(
    @ConnectedSocket() socket: AuthenticatedSocket,
    @SocketUser() user: SocketIdentity,
    @Payload('reaction:add') input: In<'reaction:add'>,
  ): Promise<Out<'reaction:add'>> {
    this.rateLimiter.take(socket.id);
    await this.messages.react(user.userId, input, true);
    return ok({});
  }

  @SubscribeMessage('reaction:remove')
  async removeReaction(
    @ConnectedSocket() socket: AuthenticatedSocket,
    @SocketUser() user: SocketIdentity,
    @Payload('reaction:remove') input: In<'reaction:remove'>,
  ): Promise<Out<'reaction:remove'>> {
    this.rateLimiter.take(socket.id);
    await this.messages.react(user.userId, input, false);
    return ok({});
  }

  @SubscribeMessage('message:read')
  async read(
    @SocketUser() user: SocketIdentity,
    @Payload('message:read') input: In<'message:read'>,
  ): Promise<Out<'message:read'>> {
    await this.messages.markRead(user.userId, input);
    return ok({});
  }

  async typing(socket: AuthenticatedSocket, input: In<'typing'>): Promise<Out<'typing'>> {
    this.rateLimiter.take(socket.id);
    await this.messages.typing(socket.data.user.userId, input.chatId);
    return ok({});
  }

  @SubscribeMessage('sync')
  async sync(
    @SocketUser() user: SocketIdentity,
    @Payload('sync') input: In<'sync'>,
  ): Promise<Out<'sync'>> {
    return ok({ chats: await this.messages.sync(user.userId, input) });
  }
}
