import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** `auth.v1.Session`: one login and everything refreshed from it. */
export class SessionDto {
  @ApiProperty({ format: 'uuid', description: 'The `sid` claim of its access tokens' })
  sessionId: string;

  @ApiProperty({ format: 'date-time', description: 'When the session started (the login)' })
  createdAt: string;

  @ApiProperty({
    format: 'date-time',
    description: 'When it last received tokens (login or refresh)',
  })
  lastUsedAt: string;

  @ApiPropertyOptional({ description: 'The User-Agent of the login; may be empty' })
  userAgent: string;

  @ApiPropertyOptional({ description: 'The client address of the login; may be empty' })
  ip: string;

  @ApiProperty({ description: 'True for the session of the access token making the call' })
  current: boolean;
}

/** `auth.v1.ListSessionsResponse`. */
export class ListSessionsResponseDto {
  @ApiProperty({ type: [SessionDto], description: 'Live sessions, most recently used first' })
  sessions: SessionDto[];
}

/** The empty response of RevokeSession, RevokeAllSessions, DeleteAccount and the admin RPCs. */
export class EmptyResponseDto {}
