import type { AuthenticatedUser } from '@app/platform';
import type { Request } from 'express';

/**
 * The context of one GraphQL operation. `req` is set for queries and mutations over
 * HTTP; `user` once {@link GqlAuthGuard} verified the caller.
 */
export interface GqlContext {
  req?: Request;
  user?: AuthenticatedUser;
}
