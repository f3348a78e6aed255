import { Controller, Inject, UseFilters } from '@nestjs/common';
import { AuthV1 } from '@app/contracts';
import { APP_CONFIG, validateDto } from '@app/platform';
import type { Metadata } from '@grpc/grpc-js';
import { grpcClient } from '../common/client-context';
import { AuthErrorsFilter } from '../common/auth-errors.filter';
import { AuthServiceMethods } from '../common/auth-service-methods.decorator';
import { authorizationOf } from '../common/bearer-metadata';
import type { AuthConfig } from '../config/auth.config';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { AccountDeletionService } from './account-deletion.service';
import { AccountsService } from './accounts.service';
import { DeleteAccountDto } from './dto/delete-account.dto';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { RefreshTokenDto, ValidateTokenDto } from './dto/token.dto';

/** What Nest passes a gRPC handler after the request and metadata. */
type GrpcCall = { getPeer?: () => string };

/**
 * `auth.v1.AuthService` over gRPC: the account methods (sessions and administration have
 * controllers of their own). Requests are typed by the generated interfaces (so the
 * global validation pipe leaves them alone) and checked with {@link validateDto} against
 * the same DTOs as the HTTP gateway.
 */
@Controller()
@AuthServiceMethods('register', 'login', 'refresh', 'logout', 'validateToken', 'deleteAccount')
@UseFilters(AuthErrorsFilter)
export class AccountsGrpcController implements Pick<
  AuthV1.AuthServiceController,
  'register' | 'login' | 'refresh' | 'logout' | 'validateToken' | 'deleteAccount'
> {
  constructor(
    private readonly accounts: AccountsService,
    private readonly deletion: AccountDeletionService,
    private readonly accessTokens: AccessTokensService,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  async register(
    request: AuthV1.RegisterRequest,
    metadata?: Metadata,
    call?: GrpcCall,
  ): Promise<AuthV1.AuthTokens> {
    const dto = await validateDto(RegisterDto, request);
    return this.accounts.register(dto, grpcClient(metadata, call, this.config.trustProxy));
  }

  async login(
    request: AuthV1.LoginRequest,
    metadata?: Metadata,
    call?: GrpcCall,
  ): Promise<AuthV1.AuthTokens> {
    const dto = await validateDto(LoginDto, request);
    return this.accounts.login(
      dto.email,
      dto.password,
      grpcClient(metadata, call, this.config.trustProxy),
    );
  }

  async refresh(request: AuthV1.RefreshRequest): Promise<AuthV1.AuthTokens> {
    const dto = await validateDto(RefreshTokenDto, request);
    return this.accounts.refresh(dto.refreshToken);
  }

  async logout(request: AuthV1.LogoutRequest): Promise<AuthV1.LogoutResponse> {
    const dto = await validateDto(RefreshTokenDto, request);
    await this.accounts.logout(dto.refreshToken);
    return {};
  }

  /**
   * Internal-only: the gRPC server refuses a call without the service credential before it
   * gets here (it is not among main.ts' public methods; ADR 0015). The request is typed
   * `unknown` because a decorated method gets its parameter types recorded, and the
   * generated `ValidateTokenRequest` is also a value (its codec) that the global
   * validation pipe would mistake for a DTO class; {@link validateDto} checks it instead.
   */
  async validateToken(request: unknown): Promise<AuthV1.ValidateTokenResponse> {
    const dto = await validateDto(ValidateTokenDto, request);
    const user = await this.accounts.validateToken(dto.accessToken);
    return {
      userId: user.userId,
      email: user.email,
      expiresAt: user.expiresAt,
      sessionId: user.sessionId ?? '',
      roles: user.roles ?? [],
    };
  }

  /** The caller (`authorization: Bearer` metadata) deletes their own account. */
  async deleteAccount(
    request: unknown,
    metadata?: Metadata,
    call?: GrpcCall,
  ): Promise<AuthV1.DeleteAccountResponse> {
    const caller = await this.accessTokens.authenticate(authorizationOf(metadata));
    const dto = await validateDto(DeleteAccountDto, request);
    await this.deletion.deleteAccount(
      caller,
      dto.password ?? '',
      grpcClient(metadata, call, this.config.trustProxy),
    );
    return {};
  }
}
