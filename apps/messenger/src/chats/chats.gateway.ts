import { UseFilters } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { SocketApi } from '@app/contracts';
import { ok } from '../realtime/ack';
import { Payload } from '../realtime/socket-payload.pipe';
import { type SocketIdentity, SocketUser } from '../realtime/socket-user';
import { WsAckExceptionFilter } from '../realtime/ws-ack-exception.filter';
import { ChatsService } from './chats.service';

type In<E extends SocketApi.ClientEventName> = SocketApi.ValidClientPayload<E>;
type Out<E extends SocketApi.ClientEventName> = { ok: true } & SocketApi.AckBody<E>;

/**
 * `chat:*` events, each answered through its acknowledgement; payloads and answers are
 * the socket API contract's (libs/contracts `SocketApi`).
 */
@WebSocketGateway()
@UseFilters(WsAckExceptionFilter)
export class ChatsGateway {
  constructor(private readonly chats: ChatsService) {}

  @SubscribeMessage('chat:create')
  async create(
    @SocketUser() user: SocketIdentity,
    @Payload('chat:create') input: In<'chat:create'>,
  ): Promise<Out<'chat:create'>> {
    return ok({ chat: await this.chats.create(user.userId, input) });
  }

  @SubscribeMessage('chat:get')
  async get(
    @SocketUser() user: SocketIdentity,
    @Payload('chat:get') input: In<'chat:get'>,
  ): Promise<Out<'chat:get'>> {
    return ok({ chat: await this.chats.get(user.userId, input.chatId) });
  }

  @SubscribeMessage('chat:list')
  async list(
    @SocketUser() user: SocketIdentity,
    // Validated so that unexpected fields are refused, not silently ignored.
    @Payload('chat:list') _input: In<'chat:list'>,
  ): Promise<Out<'chat:list'>> {
    return ok({ chats: await this.chats.list(user.userId) });
  }

  @SubscribeMessage('chat:update')
  async update(
    @SocketUser() user: SocketIdentity,
    @Payload('chat:update') input: In<'chat:update'>,
  ): Promise<Out<'chat:update'>> {
    return ok({ chat: await this.chats.rename(user.userId, input) });
  }

  @SubscribeMessage('chat:members:add')
  async addMembers(
    @SocketUser() user: SocketIdentity,
    @Payload('chat:members:add') input: In<'chat:members:add'>,
  ): Promise<Out<'chat:members:add'>> {
    return ok({ chat: await this.chats.addMembers(user.userId, input) });
  }

  @SubscribeMessage('chat:members:remove')
  async removeMember(
    @SocketUser() user: SocketIdentity,
    @Payload('chat:members:remove') input: In<'chat:members:remove'>,
  ): Promise<Out<'chat:members:remove'>> {
    await this.chats.removeMember(user.userId, input);
    return ok({});
  }

  @SubscribeMessage('chat:members:role')
  async setRole(
    @SocketUser() user: SocketIdentity,
    @Payload('chat:members:role') input: In<'chat:members:role'>,
  ): Promise<Out<'chat:members:role'>> {
    await this.chats.setRole(user.userId, input);
    return ok({});
  }

  @SubscribeMessage('chat:leave')
  async leave(
    @SocketUser() user: SocketIdentity,
    @Payload('chat:leave') input: In<'chat:leave'>,
  ): Promise<Out<'chat:leave'>> {
    await this.chats.leave(user.userId, input.chatId);
    return ok({});
  }
}
