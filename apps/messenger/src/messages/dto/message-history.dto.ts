import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_HISTORY_LIMIT = 100;

/** `message:history` payload: a page of messages older than `before`, newest first. */
export class MessageHistoryDto {
  @IsUUID()
  chatId: string;

  /** Id of the oldest message the client has; omitted for the newest page. */
  @IsOptional()
  @IsUUID()
  before?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_HISTORY_LIMIT)
  limit?: number;
}
