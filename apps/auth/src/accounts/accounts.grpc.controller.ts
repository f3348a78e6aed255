import { Controller } from '@nestjs/common';
import { AuthV1 } from '@app/contracts';
import { AccountsService } from './accounts.service';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { validateRequest } from './dto/validate-request';

/**
 * `auth.v1.AuthService` over gRPC. Requests are typed by the generated interfaces (so the
 * global HTTP ValidationPipe leaves them alone) and validated with {@link validateRequest}.
 */
@Controller()
@AuthV1.AuthServiceControllerMethods()
export class AccountsGrpcController implements AuthV1.AuthServiceController {
  constructor(private readonly accounts: AccountsService) {}

  async register(request: AuthV1.RegisterRequest): Promise<AuthV1.AuthTokens> {
    const dto = await validateRequest(RegisterDto, request);
    return this.accounts.register(dto);
  }

  async login(request: AuthV1.LoginRequest): Promise<AuthV1.AuthTokens> {
    const dto = await validateRequest(LoginDto, request);
    return this.accounts.login(dto.email, dto.password);
  }

  refresh(request: AuthV1.RefreshRequest): Promise<AuthV1.AuthTokens> {
    return this.accounts.refresh(request.refreshToken);
  }

  async logout(request: AuthV1.LogoutRequest): Promise<AuthV1.LogoutResponse> {
    await this.accounts.logout(request.refreshToken);
    return {};
  }

  async validateToken(request: AuthV1.ValidateTokenRequest): Promise<AuthV1.ValidateTokenResponse> {
    const user = await this.accounts.validateToken(request.accessToken);
    return { userId: user.userId, email: user.email, expiresAt: user.expiresAt };
  }
}
