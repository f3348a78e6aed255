import { UseFilters, UsePipes } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { AuthenticatedUser } from '@app/platform';
import { ok } from '../realtime/ack';
import { SocketUser } from '../realtime/socket-user';
import { WsAckExceptionFilter } from '../realtime/ws-ack-exception.filter';
import { WsValidationPipe } from '../realtime/ws-validation.pipe';
import { MessageHistoryDto } from './dto/message-history.dto';
import { SendMessageDto } from './dto/send-message.dto';
import type { MessageView } from './message.view';
import { MessagesService } from './messages.service';

/** `message:*` events; every one is answered through its acknowledgement. */
@WebSocketGateway()
@UseFilters(WsAckExceptionFilter)
@UsePipes(new WsValidationPipe())
export class MessagesGateway {
  constructor(private readonly messages: MessagesService) {}

  /** `message:send {chatId, clientMessageId, text}` → `{ok, message}`. */
  @SubscribeMessage('message:send')
  async send(
    @SocketUser() user: AuthenticatedUser,
    @MessageBody() dto: SendMessageDto,
  ): Promise<{ ok: true; message: MessageView }> {
    return ok({ message: await this.messages.send(user.userId, dto) });
  }

  /** `message:history {chatId, before?, limit?}` → `{ok, messages}` (newest first). */
  @SubscribeMessage('message:history')
  async history(
    @SocketUser() user: AuthenticatedUser,
    @MessageBody() dto: MessageHistoryDto,
  ): Promise<{ ok: true; messages: MessageView[] }> {
    return ok({ messages: await this.messages.history(user.userId, dto) });
  }
}
