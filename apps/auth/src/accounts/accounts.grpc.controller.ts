import { Controller, Inject, UseFilters, UseGuards } from '@nestjs/common';
import { AuthV1 } from '@app/contracts';
import { APP_CONFIG } from '@app/platform';
import type { Metadata } from '@grpc/grpc-js';
import { grpcClient } from '../common/client-context';
import { InternalCallerGuard } from '../common/internal-caller.guard';
import { AuthErrorsFilter } from '../common/auth-errors.filter';
import type { AuthConfig } from '../config/auth.config';
import { AccountsService } from './accounts.service';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { RefreshTokenDto, ValidateTokenDto } from './dto/token.dto';
import { validateRequest } from './dto/validate-request';

/** What Nest passes a gRPC handler after the request and metadata. */
type GrpcCall = { getPeer?: () => string };

/**
 * `auth.v1.AuthService` over gRPC. Requests are typed by the generated interfaces (so the
 * global HTTP ValidationPipe leaves them alone) and validated with {@link validateRequest}
 * against the same DTOs as the HTTP gateway.
 */
@Controller()
@AuthV1.AuthServiceControllerMethods()
@UseFilters(AuthErrorsFilter)
export class AccountsGrpcController implements AuthV1.AuthServiceController {
  constructor(
    private readonly accounts: AccountsService,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  async register(
    request: AuthV1.RegisterRequest,
    metadata?: Metadata,
    call?: GrpcCall,
  ): Promise<AuthV1.AuthTokens> {
    const dto = await validateRequest(RegisterDto, request);
    return this.accounts.register(dto, grpcClient(metadata, call, this.config.trustProxy));
  }

  async login(
    request: AuthV1.LoginRequest,
    metadata?: Metadata,
    call?: GrpcCall,
  ): Promise<AuthV1.AuthTokens> {
    const dto = await validateRequest(LoginDto, request);
    return this.accounts.login(
      dto.email,
      dto.password,
      grpcClient(metadata, call, this.config.trustProxy),
    );
  }

  async refresh(request: AuthV1.RefreshRequest): Promise<AuthV1.AuthTokens> {
    const dto = await validateRequest(RefreshTokenDto, request);
    return this.accounts.refresh(dto.refreshToken);
  }

  async logout(request: AuthV1.LogoutRequest): Promise<AuthV1.LogoutResponse> {
    const dto = await validateRequest(RefreshTokenDto, request);
    await this.accounts.logout(dto.refreshToken);
    return {};
  }

  /**
   * Internal-only: other services call it with `x-internal-token` metadata. The request is
   * typed `unknown` because a decorated method gets its parameter types recorded, and the
   * generated `ValidateTokenRequest` is also a value (its codec) that the global
   * ValidationPipe would mistake for a DTO class; {@link validateRequest} checks it instead.
   */
  @UseGuards(InternalCallerGuard)
  async validateToken(request: unknown): Promise<AuthV1.ValidateTokenResponse> {
    const dto = await validateRequest(ValidateTokenDto, request);
    const user = await this.accounts.validateToken(dto.accessToken);
    return { userId: user.userId, email: user.email, expiresAt: user.expiresAt };
  }
}
