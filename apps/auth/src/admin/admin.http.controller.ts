import { Body, Controller, Headers, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiForbiddenResponse,
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
import { EmptyResponseDto } from '../sessions/dto/session-responses.dto';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { AccountAdministrationService } from './account-administration.service';
import {
  ReinstateAccountDto,
  SuspendAccountBodyDto,
  SuspendAccountDto,
} from './dto/admin-requests.dto';

const forbidden = {
  type: ErrorBodyDto,
  description: '`COMMON.FORBIDDEN`: the token lacks the admin role (or the account lost it)',
};
const unauthenticated = {
  type: ErrorBodyDto,
  description: '`AUTH.INVALID_TOKEN`: no Bearer token, or an invalid, expired or ended one',
};
const notFound = { type: ErrorBodyDto, description: '`AUTH.ACCOUNT_NOT_FOUND`' };

/**
 * Administration over HTTP (`Authorization: Bearer`, admin role only): the same RPCs,
 * DTOs and service as over gRPC. Each change is audited and published as an event.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/auth/admin/accounts')
@UseFilters(AuthErrorsFilter)
export class AdminHttpController {
  constructor(
    private readonly administration: AccountAdministrationService,
    private readonly accessTokens: AccessTokensService,
  ) {}

  @Post(':userId/suspend')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Suspend an account (RPC SuspendAccount); administrators only',
    description:
      'The account can no longer log in or refresh, and every session of it ends at once. ' +
      'Suspending a suspended account changes nothing.',
  })
  @ApiParam({ name: 'userId', format: 'uuid' })
  @ApiBody({ type: SuspendAccountBodyDto })
  @ApiOkResponse({ type: EmptyResponseDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: '`COMMON.VALIDATION_FAILED`' })
  @ApiUnauthorizedResponse(unauthenticated)
  @ApiForbiddenResponse(forbidden)
  @ApiNotFoundResponse(notFound)
  async suspend(
    @Headers('authorization') authorization: string | undefined,
    @Param('userId') userId: string,
    @Body() body: unknown,
  ): Promise<AuthV1.SuspendAccountResponse> {
    const caller = await this.accessTokens.authenticate(authorization);
    const dto = await validateDto(SuspendAccountDto, { ...asObject(body), userId });
    await this.administration.suspend(caller, dto.userId, dto.reason);
    return {};
  }

  @Post(':userId/reinstate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Lift a suspension (RPC ReinstateAccount); administrators only',
    description: 'The account may log in again; sessions ended by the suspension stay ended.',
  })
  @ApiParam({ name: 'userId', format: 'uuid' })
  @ApiOkResponse({ type: EmptyResponseDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: '`COMMON.VALIDATION_FAILED`' })
  @ApiUnauthorizedResponse(unauthenticated)
  @ApiForbiddenResponse(forbidden)
  @ApiNotFoundResponse(notFound)
  async reinstate(
    @Headers('authorization') authorization: string | undefined,
    @Param('userId') userId: string,
  ): Promise<AuthV1.ReinstateAccountResponse> {
    const caller = await this.accessTokens.authenticate(authorization);
    const dto = await validateDto(ReinstateAccountDto, { userId });
    await this.administration.reinstate(caller, dto.userId);
    return {};
  }
}

/** A JSON body that is not an object (an array, a string) contributes no fields. */
function asObject(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}
