import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Request } from 'express';
import { validationFailed } from '@app/platform';

/** A repeated parameter arrives as an array: refused, never guessed at. */
const once = { message: '$property must be given once, as text' };

/**
 * The query of `GET /v1/auth/oauth/{provider}/callback` (RFC 6749 §4.1.2, RFC 9207 `iss`).
 * Each parameter at most once and bounded; anything else a provider adds on its own
 * (`scope`, `session_state`, …) is dropped unread.
 */
export class OAuthCallbackQueryDto {
  @ApiPropertyOptional({ description: 'The authorization code the provider issued' })
  @IsOptional()
  @IsString(once)
  @MaxLength(4096)
  code?: string;

  @ApiPropertyOptional({ description: 'The `state` auth sent with the authorization request' })
  @IsOptional()
  @IsString(once)
  @MaxLength(256)
  state?: string;

  @ApiPropertyOptional({ description: 'The provider refused: `access_denied`, …' })
  @IsOptional()
  @IsString(once)
  @MaxLength(256)
  error?: string;

  @ApiPropertyOptional({ description: 'The provider’s words on `error`' })
  @IsOptional()
  @IsString(once)
  @MaxLength(1024)
  error_description?: string;

  @ApiPropertyOptional({ description: 'A page about `error`' })
  @IsOptional()
  @IsString(once)
  @MaxLength(2048)
  error_uri?: string;

  @ApiPropertyOptional({ description: 'The authorization server’s issuer (RFC 9207)' })
  @IsOptional()
  @IsString(once)
  @MaxLength(2048)
  iss?: string;
}

/** Names echoed back in the error, each cut short: the answer must not mirror a huge URL. */
const MAX_NAMES = 10;
const MAX_NAME_LENGTH = 64;

/**
 * The start route `GET /v1/auth/oauth/{provider}` takes no parameters and no body. It has
 * to refuse them rather than ignore them: passport-oauth2 takes a request carrying `code`
 * (in the query or a parsed body) for a callback, which would spend a pending login's
 * one-use `state` on the wrong route.
 */
export function assertNoStartParameters(req: Request): void {
  const names = Object.keys(req.query ?? {});
  const problems = names.slice(0, MAX_NAMES).map((name) => {
    const field = name.slice(0, MAX_NAME_LENGTH);
    return { field, message: `${field} is not a parameter of this route` };
  });
  const body: unknown = req.body;
  if (body !== undefined && body !== null && Object.keys(body).length > 0) {
    problems.push({ field: 'body', message: 'this route takes no body' });
  }
  if (problems.length > 0) {
    throw validationFailed(
      problems,
      `Invalid request: ${problems.map((p) => p.message).join('; ')}`,
    );
  }
}
