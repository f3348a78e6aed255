import { Controller, UseFilters } from '@nestjs/common';
import { AuthV1 } from '@app/contracts';
import { validateDto } from '@app/platform';
import type { Metadata } from '@grpc/grpc-js';
import { AuthErrorsFilter } from '../common/auth-errors.filter';
import { AuthServiceMethods } from '../common/auth-service-methods.decorator';
import { authorizationOf } from '../common/bearer-metadata';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { RevokeAllSessionsDto, RevokeSessionDto } from './dto/session-requests.dto';
import { SessionsService, type SessionView } from './sessions.service';

/**
 * The caller's own sessions over gRPC: `authorization: Bearer <access token>` metadata
 * names the caller. Requests are typed `unknown` (see AccountsGrpcController.validateToken)
 * and checked by {@link validateDto} against the HTTP gateway's DTOs.
 */
@Controller()
@AuthServiceMethods('listSessions', 'revokeSession', 'revokeAllSessions')
@UseFilters(AuthErrorsFilter)
export class SessionsGrpcController implements Pick<
  AuthV1.AuthServiceController,
  'listSessions' | 'revokeSession' | 'revokeAllSessions'
> {
  constructor(
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokensService,
  ) {}

  async listSessions(_request: unknown, metadata?: Metadata): Promise<AuthV1.ListSessionsResponse> {
    const caller = await this.accessTokens.authenticate(authorizationOf(metadata));
    const sessions = await this.sessions.list(caller);
    return { sessions: sessions.map(toProtoSession) };
  }

  async revokeSession(
    request: unknown,
    metadata?: Metadata,
  ): Promise<AuthV1.RevokeSessionResponse> {
    const caller = await this.accessTokens.authenticate(authorizationOf(metadata));
    const dto = await validateDto(RevokeSessionDto, request);
    await this.sessions.revoke(caller, dto.sessionId);
    return {};
  }

  async revokeAllSessions(
    request: unknown,
    metadata?: Metadata,
  ): Promise<AuthV1.RevokeAllSessionsResponse> {
    const caller = await this.accessTokens.authenticate(authorizationOf(metadata));
    const dto = await validateDto(RevokeAllSessionsDto, request);
    await this.sessions.revokeAll(caller, dto.includeCurrent ?? false);
    return {};
  }
}

/** proto3 has no null: absent strings travel empty, times as RFC 3339. */
export function toProtoSession(session: SessionView): AuthV1.Session {
  return {
    sessionId: session.sessionId,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    userAgent: session.userAgent ?? '',
    ip: session.ip ?? '',
    current: session.current,
  };
}
