import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsUUID } from 'class-validator';

/** Rules of `auth.v1.RevokeSessionRequest` (over HTTP, the path parameter). */
export class RevokeSessionDto {
  @IsUUID('all', { message: 'sessionId must be a UUID' })
  sessionId: string;
}

/** Rules of `auth.v1.RevokeAllSessionsRequest`. */
export class RevokeAllSessionsDto {
  /** False or absent: the calling session stays; true: it ends too. */
  @ApiPropertyOptional({
    default: false,
    description: 'End the calling session too (default: every other session only)',
  })
  @IsOptional()
  @IsBoolean()
  includeCurrent?: boolean;
}
