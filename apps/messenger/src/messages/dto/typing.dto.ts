import { IsUUID } from 'class-validator';

/** `typing` payload. */
export class TypingDto {
  @IsUUID()
  chatId: string;
}
