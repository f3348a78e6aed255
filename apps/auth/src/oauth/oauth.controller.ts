import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiFoundResponse,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiConflictResponse,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthV1 } from '@app/contracts';
import { validateDto } from '@app/platform';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { AuthTokensDto } from '../accounts/dto/responses.dto';
import { ErrorBodyDto } from '../http/error-body.dto';
import { assertNoStartParameters, OAuthCallbackQueryDto } from './dto/oauth-query.dto';
import type { OAuthRequest } from './oauth-state.store';
import { invalidOAuthState, oauthNotConfirmed, unknownProvider } from './oauth.errors';
import { OAuthProviders } from './oauth-providers';
import { OAuthService } from './oauth.service';

/** Cookie tying a login's `state` to the browser that started it. */
const BROWSER_COOKIE = 'auth_oauth_browser';
const COOKIE_PATH = '/v1/auth/oauth';
const COOKIE_MAX_AGE_SECONDS = 600;

/**
 * OAuth2 login: authorization code with PKCE (S256) and a one-use `state` bound to the
 * browser by an HttpOnly cookie. The callback answers the same `AuthTokens` as Login.
 * Both routes validate their query before passport sees the request (ADR 0016): a misused
 * route answers 400 and leaves the pending login as it was.
 */
@ApiTags('oauth')
@Controller('v1/auth/oauth')
export class OAuthController {
  constructor(
    private readonly providers: OAuthProviders,
    private readonly oauth: OAuthService,
  ) {}

  @Get(':provider')
  @ApiOperation({ summary: 'Start an OAuth2 login: redirects to the provider' })
  @ApiFoundResponse({ description: 'To the provider, with `state` and a PKCE S256 challenge' })
  @ApiBadRequestResponse({
    type: ErrorBodyDto,
    description: '`COMMON.VALIDATION_FAILED`: the route takes no query parameters and no body',
  })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: '`COMMON.NOT_FOUND`: no such provider' })
  @ApiInternalServerErrorResponse({ type: ErrorBodyDto })
  async begin(
    @Param('provider') provider: string,
    @Req() req: Request & OAuthRequest,
    @Res() res: Response,
  ): Promise<void> {
    if (!this.providers.has(provider)) throw unknownProvider();
    assertNoStartParameters(req);
    const binding = browserBinding(req) ?? randomBytes(32).toString('base64url');
    req.oauthBrowserBinding = binding;
    res.cookie(BROWSER_COOKIE, binding, {
      httpOnly: true,
      // Lax: sent on the provider's top-level redirect back, not on cross-site subrequests.
      sameSite: 'lax',
      secure: this.providers.callsBackOverHttps(provider),
      path: COOKIE_PATH,
      maxAge: COOKIE_MAX_AGE_SECONDS * 1000,
    });
    await this.providers.redirectToProvider(provider, req, res);
  }

  @Get(':provider/callback')
  @ApiOperation({
    summary: 'Finish an OAuth2 login: checks state, exchanges the code, returns tokens',
  })
  @ApiQuery({ type: OAuthCallbackQueryDto })
  @ApiOkResponse({ type: AuthTokensDto })
  @ApiBadRequestResponse({
    type: ErrorBodyDto,
    description: '`COMMON.VALIDATION_FAILED`: a parameter repeated or too long',
  })
  @ApiUnauthorizedResponse({
    type: ErrorBodyDto,
    description:
      '`COMMON.UNAUTHENTICATED`: state or code missing, state used or from another browser; ' +
      'the provider refused (`error`) or did not accept the code',
  })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: '`COMMON.NOT_FOUND`: no such provider' })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: '`AUTH.EMAIL_TAKEN`: a password account has the (unverified) email',
  })
  @ApiServiceUnavailableResponse({ type: ErrorBodyDto, description: 'profile unreachable' })
  @ApiInternalServerErrorResponse({ type: ErrorBodyDto })
  async callback(
    @Param('provider') provider: string,
    @Query() rawQuery: unknown,
    @Req() req: Request & OAuthRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthV1.AuthTokens> {
    if (!this.providers.has(provider)) throw unknownProvider();
    const query = await validateDto(OAuthCallbackQueryDto, rawQuery);
    // The provider refused (the user declined, or it failed): one answer, and the state is
    // left alone, whatever passport would make of the rest of the query.
    if (query.error !== undefined) throw oauthNotConfirmed();
    // Without a code passport would start a new login; a callback never does.
    if (!query.code || !query.state) throw invalidOAuthState();
    req.oauthBrowserBinding = browserBinding(req);
    const outcome = await this.providers.finish(provider, req, res);
    switch (outcome.kind) {
      case 'invalid-state':
        throw invalidOAuthState();
      case 'not-confirmed':
        throw oauthNotConfirmed();
      case 'authenticated':
        res.clearCookie(BROWSER_COOKIE, { path: COOKIE_PATH });
        return this.oauth.signIn(provider, outcome.profile);
    }
  }
}

/** The binding cookie's value, read without a cookie-parser dependency. */
function browserBinding(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === BROWSER_COOKIE) {
      const decoded = value.join('=');
      return /^[\w-]{43}$/.test(decoded) ? decoded : undefined;
    }
  }
  return undefined;
}
