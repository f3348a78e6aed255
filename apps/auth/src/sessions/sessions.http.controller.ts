import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  UseFilters,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthV1 } from '@app/contracts';
import { validateDto } from '@app/platform';
import { AuthErrorsFilter } from '../common/auth-errors.filter';
import { ErrorBodyDto } from '../http/error-body.dto';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { RevokeAllSessionsDto, RevokeSessionDto } from './dto/session-requests.dto';
import { EmptyResponseDto, ListSessionsResponseDto } from './dto/session-responses.dto';
import { toProtoSession } from './sessions.grpc.controller';
import { SessionsService } from './sessions.service';

const unauthenticated = {
  type: ErrorBodyDto,
  description: '`AUTH.INVALID_TOKEN`: no Bearer token, or an invalid, expired or ended one',
};

/**
 * The caller's own sessions over HTTP (`Authorization: Bearer <access token>`): the same
 * RPCs, DTOs and service as over gRPC. A user sees and ends only their own sessions;
 * another user's session id is 404, like an unknown one.
 */
@ApiTags('sessions')
@ApiBearerAuth()
@Controller('v1/auth/sessions')
@UseFilters(AuthErrorsFilter)
export class SessionsHttpController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokensService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List your sessions (RPC ListSessions)' })
  @ApiOkResponse({ type: ListSessionsResponseDto })
  @ApiUnauthorizedResponse(unauthenticated)
  async list(
    @Headers('authorization') authorization: string | undefined,
  ): Promise<AuthV1.ListSessionsResponse> {
    const caller = await this.accessTokens.authenticate(authorization);
    const sessions = await this.sessions.list(caller);
    return { sessions: sessions.map(toProtoSession) };
  }

  @Post('revoke-all')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign out everywhere else (RPC RevokeAllSessions)',
    description:
      'Ends every session of yours but the one making the call; with `includeCurrent: true` ' +
      'that one too. Their access tokens are refused by every service at once.',
  })
  @ApiBody({ type: RevokeAllSessionsDto, required: false })
  @ApiOkResponse({ type: EmptyResponseDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: '`COMMON.VALIDATION_FAILED`' })
  @ApiUnauthorizedResponse(unauthenticated)
  async revokeAll(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ): Promise<AuthV1.RevokeAllSessionsResponse> {
    const caller = await this.accessTokens.authenticate(authorization);
    const dto = await validateDto(RevokeAllSessionsDto, body);
    await this.sessions.revokeAll(caller, dto.includeCurrent ?? false);
    return {};
  }

  @Delete(':sessionId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'End one of your sessions (RPC RevokeSession)',
    description: 'Its access tokens are refused by every service at once.',
  })
  @ApiParam({ name: 'sessionId', format: 'uuid' })
  @ApiOkResponse({ type: EmptyResponseDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: '`COMMON.VALIDATION_FAILED`' })
  @ApiUnauthorizedResponse(unauthenticated)
  @ApiNotFoundResponse({
    type: ErrorBodyDto,
    description: '`AUTH.SESSION_NOT_FOUND`: no live session of yours has that id',
  })
  async revoke(
    @Headers('authorization') authorization: string | undefined,
    @Param('sessionId') sessionId: string,
  ): Promise<AuthV1.RevokeSessionResponse> {
    const caller = await this.accessTokens.authenticate(authorization);
    const dto = await validateDto(RevokeSessionDto, { sessionId });
    await this.sessions.revoke(caller, dto.sessionId);
    return {};
  }
}
