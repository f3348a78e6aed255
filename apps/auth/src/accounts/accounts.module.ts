import { Module } from '@nestjs/common';
import { ProfileClientModule } from '../profile-client/profile-client.module';
import { TokensModule } from '../tokens/tokens.module';
import { AccountsGrpcController } from './accounts.grpc.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { PasswordHasher } from './password-hasher';

/** Registration, login and sessions: the `auth.v1.AuthService` gRPC API. */
@Module({
  imports: [TokensModule, ProfileClientModule],
  controllers: [AccountsGrpcController],
  providers: [AccountsService, AccountsRepository, PasswordHasher],
})
export class AccountsModule {}
