import { UseFilters, UsePipes } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { ok } from '../realtime/ack';
import { SocketRateLimiter } from '../realtime/socket-rate-limiter';
import { type AuthenticatedSocket, type SocketIdentity, SocketUser } from '../realtime/socket-user';
import { WsAckExceptionFilter } from '../realtime/ws-ack-exception.filter';
import { WsValidationPipe } from '../realtime/ws-validation.pipe';
import { MessageHistoryDto } from './dto/message-history.dto';
import { ReadMessageDto } from './dto/read-message.dto';
import { SendMessageDto } from './dto/send-message.dto';
import { SyncDto } from './dto/sync.dto';
import { TypingDto } from './dto/typing.dto';
import type { MessageView } from './message.view';
import { MessagesService, SyncedChat } from './messages.service';

/** `message:*`, `typing` and `sync` events; every one is answered through its acknowledgement. */
@WebSocketGateway()
@UseFilters(WsAckExceptionFilter)
@UsePipes(new WsValidationPipe())
export class MessagesGateway {
  constructor(
    private readonly messages: MessagesService,
    private readonly rateLimiter: SocketRateLimiter,
  ) {}

  /** `message:send {chatId, clientMessageId, text}` → `{ok, message}`. Rate-limited per socket. */
  @SubscribeMessage('message:send')
  async send(
    @ConnectedSocket() socket: AuthenticatedSocket,
    @SocketUser() user: SocketIdentity,
    @MessageBody() dto: SendMessageDto,
  ): Promise<{ ok: true; message: MessageView }> {
    this.rateLimiter.take(socket.id);
    return ok({ message: await this.messages.send(user.userId, dto) });
  }

  /** `message:history {chatId, before?, limit?}` → `{ok, messages}` (newest first). */
  @SubscribeMessage('message:history')
  async history(
    @SocketUser() user: SocketIdentity,
    @MessageBody() dto: MessageHistoryDto,
  ): Promise<{ ok: true; messages: MessageView[] }> {
    return ok({ messages: await this.messages.history(user.userId, dto) });
  }

  /** `message:read {chatId, messageId}` → `{ok}`; members get `message:read`. */
  @SubscribeMessage('message:read')
  async read(
    @SocketUser() user: SocketIdentity,
    @MessageBody() dto: ReadMessageDto,
  ): Promise<{ ok: true }> {
    await this.messages.markRead(user.userId, dto);
    return ok({});
  }

  /** `typing {chatId}` → `{ok}`; the other members get `typing {chatId, userId}`. */
  @SubscribeMessage('typing')
  async typing(
    @ConnectedSocket() socket: AuthenticatedSocket,
    @SocketUser() user: SocketIdentity,
    @MessageBody() dto: TypingDto,
  ): Promise<{ ok: true }> {
    this.rateLimiter.take(socket.id);
    await this.messages.typing(user.userId, dto.chatId);
    return ok({});
  }

  /** `sync {chats: [{chatId, afterSeq}], limit?}` → `{ok, chats: [{chatId, messages, hasMore}]}`. */
  @SubscribeMessage('sync')
  async sync(
    @SocketUser() user: SocketIdentity,
    @MessageBody() dto: SyncDto,
  ): Promise<{ ok: true; chats: SyncedChat[] }> {
    return ok({ chats: await this.messages.sync(user.userId, dto) });
  }
}
