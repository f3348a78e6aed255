import {
  Body,
  Controller,
  Delete,
  Headers,
  HttpCode,
  Inject,
  Post,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiHeader,
  ApiInternalServerErrorResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthV1 } from '@app/contracts';
import { APP_CONFIG, INTERNAL_TOKEN_KEY, InternalCallerGuard, validateDto } from '@app/platform';
import type { Request } from 'express';
import { httpClient } from '../common/client-context';
import { AuthErrorsFilter } from '../common/auth-errors.filter';
import type { AuthConfig } from '../config/auth.config';
import { ErrorBodyDto } from '../http/error-body.dto';
import { EmptyResponseDto } from '../sessions/dto/session-responses.dto';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { AccountDeletionService } from './account-deletion.service';
import { AccountsService } from './accounts.service';
import { DeleteAccountDto } from './dto/delete-account.dto';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { AuthTokensDto, LogoutResponseDto, ValidateTokenResponseDto } from './dto/responses.dto';
import { RefreshTokenDto, ValidateTokenDto } from './dto/token.dto';

const invalid = { type: ErrorBodyDto, description: '`COMMON.VALIDATION_FAILED`, with `details`' };
const internal = { type: ErrorBodyDto, description: '`COMMON.INTERNAL`: nothing more is said' };
const throttled = {
  type: ErrorBodyDto,
  description: '`COMMON.RATE_LIMITED`; the `Retry-After` header says when to try again',
  headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
};

/**
 * The HTTP/JSON gateway: each route is one `auth.v1.AuthService` RPC with the same fields
 * in camelCase, the same DTOs and rules (checked by {@link validateDto}, as on gRPC,
 * so both transports answer a bad field alike), and the same service method. Bodies are
 * declared `unknown` so the global validation pipe does not check them a second way.
 */
@ApiTags('auth')
@Controller('v1/auth')
@UseFilters(AuthErrorsFilter)
export class AccountsHttpController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly deletion: AccountDeletionService,
    private readonly accessTokens: AccessTokensService,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  @Post('register')
  @HttpCode(200)
  @ApiOperation({ summary: 'Register (RPC Register): creates the account and its profile' })
  @ApiBody({ type: RegisterDto })
  @ApiOkResponse({ type: AuthTokensDto })
  @ApiBadRequestResponse(invalid)
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: '`AUTH.EMAIL_TAKEN` or `AUTH.NICKNAME_TAKEN`',
  })
  @ApiTooManyRequestsResponse(throttled)
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description: '`COMMON.UNAVAILABLE`: profile could not be reached; nothing was kept',
  })
  @ApiInternalServerErrorResponse(internal)
  async register(@Body() body: unknown, @Req() request: Request): Promise<AuthV1.AuthTokens> {
    const dto = await validateDto(RegisterDto, body);
    return this.accounts.register(dto, httpClient(request, this.config.trustProxy));
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in (RPC Login): exchanges email and password for tokens' })
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: AuthTokensDto })
  @ApiBadRequestResponse(invalid)
  @ApiUnauthorizedResponse({
    type: ErrorBodyDto,
    description: '`AUTH.INVALID_CREDENTIALS`, the same for an unknown email and a wrong password',
  })
  @ApiTooManyRequestsResponse(throttled)
  @ApiInternalServerErrorResponse(internal)
  async login(@Body() body: unknown, @Req() request: Request): Promise<AuthV1.AuthTokens> {
    const dto = await validateDto(LoginDto, body);
    return this.accounts.login(
      dto.email,
      dto.password,
      httpClient(request, this.config.trustProxy),
    );
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Refresh (RPC Refresh): rotates the refresh token; reuse of an old one ends the session',
  })
  @ApiBody({ type: RefreshTokenDto })
  @ApiOkResponse({ type: AuthTokensDto })
  @ApiBadRequestResponse(invalid)
  @ApiUnauthorizedResponse({
    type: ErrorBodyDto,
    description: '`AUTH.INVALID_TOKEN`: unknown, expired, reused or revoked',
  })
  @ApiInternalServerErrorResponse(internal)
  async refresh(@Body() body: unknown): Promise<AuthV1.AuthTokens> {
    const dto = await validateDto(RefreshTokenDto, body);
    return this.accounts.refresh(dto.refreshToken);
  }

  @Post('logout')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log out (RPC Logout): ends the session; succeeds for any token' })
  @ApiBody({ type: RefreshTokenDto })
  @ApiOkResponse({ type: LogoutResponseDto })
  @ApiBadRequestResponse(invalid)
  @ApiInternalServerErrorResponse(internal)
  async logout(@Body() body: unknown): Promise<AuthV1.LogoutResponse> {
    const dto = await validateDto(RefreshTokenDto, body);
    await this.accounts.logout(dto.refreshToken);
    return {};
  }

  @Post('validate')
  @HttpCode(200)
  @UseGuards(InternalCallerGuard)
  @ApiOperation({
    summary: 'Validate an access token (RPC ValidateToken); internal callers only',
  })
  @ApiHeader({ name: INTERNAL_TOKEN_KEY, required: true, description: 'Internal callers’ secret' })
  @ApiBody({ type: ValidateTokenDto })
  @ApiOkResponse({ type: ValidateTokenResponseDto })
  @ApiBadRequestResponse(invalid)
  @ApiUnauthorizedResponse({
    type: ErrorBodyDto,
    description:
      '`COMMON.UNAUTHENTICATED` without internal credentials; `AUTH.INVALID_TOKEN` for a bad token',
  })
  @ApiInternalServerErrorResponse(internal)
  async validate(@Body() body: unknown): Promise<AuthV1.ValidateTokenResponse> {
    const dto = await validateDto(ValidateTokenDto, body);
    const user = await this.accounts.validateToken(dto.accessToken);
    return {
      userId: user.userId,
      email: user.email,
      expiresAt: user.expiresAt,
      sessionId: user.sessionId ?? '',
      roles: user.roles ?? [],
    };
  }

  @Delete('account')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Delete your account (RPC DeleteAccount)',
    description:
      'Confirm with `{password}`; an account without one (OAuth) confirms with a login of the ' +
      'last 5 minutes. Every session ends, the credentials go, and every service erases the ' +
      'user within seconds (`auth.user.deleted.v1`); the email and nickname are free at once.',
  })
  @ApiBody({ type: DeleteAccountDto })
  @ApiOkResponse({ type: EmptyResponseDto })
  @ApiBadRequestResponse(invalid)
  @ApiUnauthorizedResponse({
    type: ErrorBodyDto,
    description:
      '`AUTH.INVALID_TOKEN` (no valid Bearer token), `AUTH.INVALID_CREDENTIALS` (wrong ' +
      'password) or `AUTH.RECENT_LOGIN_REQUIRED` (no password, and the login is too old)',
  })
  @ApiTooManyRequestsResponse(throttled)
  @ApiInternalServerErrorResponse(internal)
  async deleteAccount(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
    @Req() request: Request,
  ): Promise<AuthV1.DeleteAccountResponse> {
    const caller = await this.accessTokens.authenticate(authorization);
    const dto = await validateDto(DeleteAccountDto, body);
    await this.deletion.deleteAccount(
      caller,
      dto.password ?? '',
      httpClient(request, this.config.trustProxy),
    );
    return {};
  }
}
