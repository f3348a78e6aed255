import { Module } from '@nestjs/common';
import { ProfileClientModule } from '../profile-client/profile-client.module';
import { TokensModule } from '../tokens/tokens.module';
import { AttemptLimiter } from '../rate-limit/attempt-limiter';
import { AccountsGrpcController } from './accounts.grpc.controller';
import { AccountsHttpController } from './accounts.http.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { PasswordHasher } from './password-hasher';

/** Registration, login and sessions: `auth.v1.AuthService` over gRPC and its HTTP gateway. */
@Module({
  imports: [TokensModule, ProfileClientModule],
  controllers: [AccountsGrpcController, AccountsHttpController],
  providers: [AccountsService, AccountsRepository, PasswordHasher, AttemptLimiter],
  exports: [AccountsService],
})
export class AccountsModule {}
