import { IsUUID } from 'class-validator';

/** `message:read` payload: the newest message of the chat the user has seen. */
export class ReadMessageDto {
  @IsUUID()
  chatId: string;

  @IsUUID()
  messageId: string;
}
