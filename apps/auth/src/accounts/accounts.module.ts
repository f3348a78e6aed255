import { Module } from '@nestjs/common';
import { ProfileClientModule } from '../profile-client/profile-client.module';
import { TokensModule } from '../tokens/tokens.module';
import { AttemptLimiter } from '../rate-limit/attempt-limiter';
import { AccountDeletionService } from './account-deletion.service';
import { AccountsGrpcController } from './accounts.grpc.controller';
import { AccountsHttpController } from './accounts.http.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { PasswordHasher } from './password-hasher';
import { RegistrationSweeperService } from './registration-sweeper.service';
import { RegistrationsInProgressRepository } from './registrations-in-progress.repository';

/**
 * Registration (and its sweeper), login, refresh, logout and account deletion:
 * `auth.v1.AuthService` over gRPC and its HTTP gateway.
 */
@Module({
  imports: [TokensModule, ProfileClientModule],
  controllers: [AccountsGrpcController, AccountsHttpController],
  providers: [
    AccountsService,
    AccountDeletionService,
    AccountsRepository,
    PasswordHasher,
    AttemptLimiter,
    RegistrationsInProgressRepository,
    RegistrationSweeperService,
  ],
  exports: [AccountsService, AccountsRepository],
})
export class AccountsModule {}
