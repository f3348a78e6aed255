import { UseGuards } from '@nestjs/common';
import {
  Args,
  ID,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { AuthenticatedUser } from '@app/platform';
import { GqlAuthGuard } from '../graphql/gql-auth.guard';
import { GqlCurrentUser } from '../graphql/gql-current-user.decorator';
import { ProfileModel } from './dto/profile.model';
import { ProfileConnectionModel, toProfileConnection } from './dto/profile-connection.model';
import { UpdateProfileInput } from './dto/update-profile.input';
import { notOwner } from './profiles.errors';
import { ProfilesService } from './profiles.service';

/** Profile operations of the public GraphQL API; every one needs a valid access token. */
@Resolver(() => ProfileModel)
@UseGuards(GqlAuthGuard)
export class ProfilesResolver {
  constructor(private readonly profiles: ProfilesService) {}

  @Query(() => ProfileModel, { description: "The caller's own profile." })
  me(@GqlCurrentUser() user: AuthenticatedUser): Promise<ProfileModel> {
    return this.profiles.getOwn(user.userId);
  }

  @Query(() => ProfileModel, { nullable: true, description: 'A profile by user id; null if none.' })
  user(
    @Args('id', { type: () => ID, description: 'The user id (UUID).' }) id: string,
  ): Promise<ProfileModel | null> {
    return this.profiles.getById(id);
  }

  @Query(() => ProfileModel, {
    nullable: true,
    description: 'A profile by nickname, ignoring letter case; null if none.',
  })
  userByNickname(
    @Args('nickname', { type: () => String, description: 'The nickname, in any letter case.' })
    nickname: string,
  ): Promise<ProfileModel | null> {
    return this.profiles.getByNickname(nickname);
  }

  @Query(() => ProfileConnectionModel, {
    description:
      'Users whose nickname or display name starts with the query or resembles it ' +
      '(tolerates typos), best match first.',
  })
  async searchUsers(
    @Args('query', { type: () => String, description: 'What to look for: 2–64 characters.' })
    query: string,
    @Args('first', {
      type: () => Int,
      nullable: true,
      description: 'How many users to return: 1–100, default 20.',
    })
    first?: number | null,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: '`endCursor` of the previous page, to continue after it.',
    })
    after?: string | null,
  ): Promise<ProfileConnectionModel> {
    return toProfileConnection(await this.profiles.search(query, first, after));
  }

  @Mutation(() => ProfileModel, {
    description:
      "Changes the caller's own profile and returns it. BAD_USER_INPUT " +
      '(COMMON.VALIDATION_FAILED) for a broken format rule, CONFLICT ' +
      '(PROFILE.NICKNAME_TAKEN) when the nickname is taken in any letter case.',
  })
  updateProfile(
    @GqlCurrentUser() user: AuthenticatedUser,
    @Args('input', { type: () => UpdateProfileInput, description: 'The fields to change.' })
    input: UpdateProfileInput,
  ): Promise<ProfileModel> {
    return this.profiles.updateProfile(user.userId, input);
  }

  @Subscription(() => ProfileModel, {
    description:
      "A user's profile each time it changes (graphql-ws; authenticate in connection_init).",
    // The iterator yields the profile itself, not `{ profileUpdated: profile }`.
    resolve: (profile: ProfileModel) => profile,
  })
  profileUpdated(
    @Args('userId', { type: () => ID, description: 'The user to watch (UUID).' }) userId: string,
  ): AsyncIterableIterator<ProfileModel> {
    return this.profiles.watch(userId);
  }

  @ResolveField(() => String, {
    nullable: true,
    description:
      "The account's email address. Only its owner may read it: FORBIDDEN for anyone else.",
  })
  email(
    @Parent() profile: ProfileModel & { email?: string | null },
    @GqlCurrentUser() user: AuthenticatedUser,
  ): string | null {
    if (profile.id !== user.userId) throw notOwner('email');
    return profile.email ?? null;
  }
}
