import { UseFilters, UsePipes } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { ok } from '../realtime/ack';
import { type SocketIdentity, SocketUser } from '../realtime/socket-user';
import { WsAckExceptionFilter } from '../realtime/ws-ack-exception.filter';
import { WsValidationPipe } from '../realtime/ws-validation.pipe';
import type { ChatSummaryView, ChatView } from './chat.view';
import { ChatsService } from './chats.service';
import { CreateChatDto } from './dto/create-chat.dto';
import { ListChatsDto } from './dto/list-chats.dto';

/** `chat:*` events; every one is answered through its acknowledgement. */
@WebSocketGateway()
@UseFilters(WsAckExceptionFilter)
@UsePipes(new WsValidationPipe())
export class ChatsGateway {
  constructor(private readonly chats: ChatsService) {}

  /** `chat:create {memberIds, title?}` → `{ok, chat}`. */
  @SubscribeMessage('chat:create')
  async create(
    @SocketUser() user: SocketIdentity,
    @MessageBody() dto: CreateChatDto,
  ): Promise<{ ok: true; chat: ChatView }> {
    return ok({ chat: await this.chats.create(user.userId, dto) });
  }

  /** `chat:list {}` → `{ok, chats}`. */
  @SubscribeMessage('chat:list')
  async list(
    @SocketUser() user: SocketIdentity,
    // Validated so that unexpected fields are refused, not silently ignored.
    @MessageBody() _dto: ListChatsDto,
  ): Promise<{ ok: true; chats: ChatSummaryView[] }> {
    return ok({ chats: await this.chats.list(user.userId) });
  }
}
