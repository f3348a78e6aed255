import { Controller, UseFilters } from '@nestjs/common';
import { AuthV1 } from '@app/contracts';
import { validateDto } from '@app/platform';
import type { Metadata } from '@grpc/grpc-js';
import { AuthErrorsFilter } from '../common/auth-errors.filter';
import { AuthServiceMethods } from '../common/auth-service-methods.decorator';
import { authorizationOf } from '../common/bearer-metadata';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { AccountAdministrationService } from './account-administration.service';
import { ReinstateAccountDto, SuspendAccountDto } from './dto/admin-requests.dto';

/**
 * Administration over gRPC, for callers whose Bearer token (`authorization` metadata)
 * carries the admin role; PERMISSION_DENIED for everyone else.
 */
@Controller()
@AuthServiceMethods('suspendAccount', 'reinstateAccount')
@UseFilters(AuthErrorsFilter)
export class AdminGrpcController implements Pick<
  AuthV1.AuthServiceController,
  'suspendAccount' | 'reinstateAccount'
> {
  constructor(
    private readonly administration: AccountAdministrationService,
    private readonly accessTokens: AccessTokensService,
  ) {}

  async suspendAccount(
    request: unknown,
    metadata?: Metadata,
  ): Promise<AuthV1.SuspendAccountResponse> {
    const caller = await this.accessTokens.authenticate(authorizationOf(metadata));
    const dto = await validateDto(SuspendAccountDto, request);
    await this.administration.suspend(caller, dto.userId, dto.reason);
    return {};
  }

  async reinstateAccount(
    request: unknown,
    metadata?: Metadata,
  ): Promise<AuthV1.ReinstateAccountResponse> {
    const caller = await this.accessTokens.authenticate(authorizationOf(metadata));
    const dto = await validateDto(ReinstateAccountDto, request);
    await this.administration.reinstate(caller, dto.userId);
    return {};
  }
}
