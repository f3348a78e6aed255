import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module';
import { SessionsGrpcController } from './sessions.grpc.controller';
import { SessionsHttpController } from './sessions.http.controller';
import { SessionsService } from './sessions.service';

/** A user's own sessions: list them, end one, end all (gRPC and the HTTP gateway). */
@Module({
  imports: [TokensModule],
  controllers: [SessionsGrpcController, SessionsHttpController],
  providers: [SessionsService],
})
export class SessionsModule {}
