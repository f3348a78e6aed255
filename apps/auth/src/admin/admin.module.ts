import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { TokensModule } from '../tokens/tokens.module';
import { AccountAdministrationService } from './account-administration.service';
import { AccountAuditRepository } from './account-audit.repository';
import { AdminGrpcController } from './admin.grpc.controller';
import { AdminHttpController } from './admin.http.controller';

/** Administration of accounts (suspend, reinstate), for the admin role only, audited. */
@Module({
  imports: [AccountsModule, TokensModule],
  controllers: [AdminGrpcController, AdminHttpController],
  providers: [AccountAdministrationService, AccountAuditRepository],
})
export class AdminModule {}
