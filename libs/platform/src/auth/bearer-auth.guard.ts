import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';
import { AccessTokenVerifier, AuthenticatedUser, bearerToken } from './access-token.verifier';

type AuthenticatedRequest = Request & { user?: AuthenticatedUser };

/** Lets an HTTP request through only with a valid `Authorization: Bearer` access token. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(private readonly verifier: AccessTokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      throw new DomainError('UNAUTHENTICATED', ErrorCodes.UNAUTHENTICATED, 'Missing bearer token');
    }
    request.user = await this.verifier.verify(token);
    return true;
  }
}

/** The user a {@link BearerAuthGuard}-protected request was authenticated as. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => {
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!user) throw new Error('CurrentUser used on a route without BearerAuthGuard');
    return user;
  },
);
