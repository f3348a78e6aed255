import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';

/** Most other members a group chat can start with. */
export const MAX_CHAT_MEMBERS = 100;

/** `chat:create` payload. */
export class CreateChatDto {
  /** The other members (the caller is added): one id makes a direct chat, more a group. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CHAT_MEMBERS)
  @IsUUID(undefined, { each: true })
  memberIds: string[];

  /** Group title; ignored for direct chats. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  title?: string;
}
