import { Controller, Get, Headers, HttpCode, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { bearerToken, InternalCallerGuard } from '@app/platform';
import type { Response } from 'express';
import { AccessTokensService } from './access-tokens.service';
import { invalidAccessToken } from './tokens.errors';

/** The header that carries the verified user's id to the gateway (and from it, to services). */
export const USER_ID_HEADER = 'X-User-Id';

/**
 * `GET /internal/v1/authenticate`: the gateway's `auth_request` target (infra/gateway).
 * It verifies the request's `Authorization: Bearer` access token locally, as ValidateToken
 * does, and answers 204 with `X-User-Id`, or 401. Internal callers only: without the
 * service credential (`x-internal-token`) it answers 401 like a bad token, so a
 * misconfigured gateway refuses requests instead of letting them through. The gateway
 * never routes `/internal/` publicly; it is left out of the OpenAPI document.
 */
@ApiExcludeController()
@Controller('internal/v1')
@UseGuards(InternalCallerGuard)
export class EdgeAuthenticationController {
  constructor(private readonly accessTokens: AccessTokensService) {}

  @Get('authenticate')
  @HttpCode(204)
  async authenticate(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    const token = bearerToken(authorization);
    if (!token) throw invalidAccessToken();
    const user = await this.accessTokens.verify(token);
    response.setHeader(USER_ID_HEADER, user.userId);
  }
}
