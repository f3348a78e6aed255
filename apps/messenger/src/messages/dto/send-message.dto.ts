import { IsString, IsUUID, Length, Matches } from 'class-validator';

/** `message:send` payload. */
export class SendMessageDto {
  @IsUUID()
  chatId: string;

  /** Chosen by the client per message; resending with the same key never duplicates it. */
  @IsString()
  @Length(1, 64)
  clientMessageId: string;

  @IsString()
  @Length(1, 4000)
  @Matches(/\S/, { message: 'text must not be blank' })
  text: string;
}
