import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { AuthenticatedUser } from '@app/platform';
import type { GqlContext } from './gql-context';

/** The user a {@link GqlAuthGuard}-protected resolver was called by. */
export const GqlCurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => {
    const user = GqlExecutionContext.create(context).getContext<GqlContext>().user;
    if (!user) throw new Error('GqlCurrentUser used on a resolver without GqlAuthGuard');
    return user;
  },
);
