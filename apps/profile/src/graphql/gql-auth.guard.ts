import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ErrorCodes } from '@app/contracts';
import { AccessTokenVerifier, bearerToken, DomainError } from '@app/platform';
import type { GqlContext } from './gql-context';

/**
 * Lets a GraphQL operation through only with a valid `Authorization: Bearer` access
 * token, verified locally against auth's JWKS; the user is kept on the context for
 * {@link GqlCurrentUser}. Failures surface as `extensions.code: UNAUTHENTICATED`.
 */
@Injectable()
export class GqlAuthGuard implements CanActivate {
  constructor(private readonly verifier: AccessTokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const ctx = GqlExecutionContext.create(context).getContext<GqlContext>();
    if (ctx.user) return true; // already verified for an earlier field of this operation
    const token = bearerToken(ctx.req?.headers.authorization);
    if (!token) {
      throw new DomainError('UNAUTHENTICATED', ErrorCodes.UNAUTHENTICATED, 'Missing bearer token');
    }
    ctx.user = await this.verifier.verify(token);
    return true;
  }
}
