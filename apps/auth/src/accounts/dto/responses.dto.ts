import { ApiProperty } from '@nestjs/swagger';

/** `auth.v1.AuthTokens`: the token pair handed to a client. */
export class AuthTokensDto {
  @ApiProperty({
    description: 'A short-lived JWT (ES256, `typ: at+jwt`) for `Authorization: Bearer`',
  })
  accessToken: string;

  @ApiProperty({ description: 'An opaque token for the next pair through /v1/auth/refresh' })
  refreshToken: string;

  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 })
  expiresIn: number;

  @ApiProperty({ format: 'uuid', description: 'The user the tokens were issued to' })
  userId: string;
}

/** `auth.v1.ValidateTokenResponse`: whom a valid access token identifies. */
export class ValidateTokenResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The token subject' })
  userId: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ description: 'Expiry, seconds since the Unix epoch', example: 1767225600 })
  expiresAt: number;

  @ApiProperty({
    format: 'uuid',
    description: 'The session (`sid`); empty for tokens issued before sessions existed',
  })
  sessionId: string;

  @ApiProperty({ type: [String], example: ['user'], description: '`user`, plus `admin`' })
  roles: string[];
}

/** `auth.v1.LogoutResponse`: empty. */
export class LogoutResponseDto {}
