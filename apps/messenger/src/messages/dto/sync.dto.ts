import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsUUID,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** Most chats one `sync` call may ask about. */
export const MAX_SYNC_CHATS = 50;
/** Most messages one `sync` call returns per chat; the rest come with the next call. */
export const DEFAULT_SYNC_LIMIT = 100;
export const MAX_SYNC_LIMIT = 500;

/** One chat of a `sync` call: the last `seq` the client has of it. */
export class SyncChatDto {
  @IsUUID()
  chatId: string;

  /** 0 when the client has nothing of the chat yet. */
  @IsInt()
  @Min(0)
  afterSeq: number;
}

/** `sync` payload: what a reconnecting client already has, per chat. */
export class SyncDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SYNC_CHATS)
  @ValidateNested({ each: true })
  @Type(() => SyncChatDto)
  chats: SyncChatDto[];

  /** Messages per chat in this answer (default {@link DEFAULT_SYNC_LIMIT}). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SYNC_LIMIT)
  limit?: number;
}
