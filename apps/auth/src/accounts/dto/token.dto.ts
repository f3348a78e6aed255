import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

/**
 * Rules of `auth.v1.RefreshRequest` and `auth.v1.LogoutRequest`. Only the shape is
 * checked: an unknown or empty token is an UNAUTHENTICATED answer (Refresh) or a no-op
 * (Logout), like any other token that is not valid. The bound is an access token's, so an
 * access token sent in its place is answered like any other wrong token, not as malformed.
 */
export class RefreshTokenDto {
  @ApiProperty({
    description: 'The opaque refresh token from the last AuthTokens',
    example: 'q3Jk2mN8xYzW0vB5tL7pR9sD1fG4hJ6kA2cE8uI0oP3',
  })
  @IsString()
  @MaxLength(4096)
  refreshToken: string;
}

/** Rules of `auth.v1.ValidateTokenRequest`. */
export class ValidateTokenDto {
  @ApiProperty({ description: 'The JWT access token to check' })
  @IsString()
  @MaxLength(4096)
  accessToken: string;
}
