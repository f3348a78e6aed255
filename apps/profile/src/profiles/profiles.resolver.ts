import { UseGuards } from '@nestjs/common';
import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import type { AuthenticatedUser } from '@app/platform';
import { GqlAuthGuard } from '../graphql/gql-auth.guard';
import { GqlCurrentUser } from '../graphql/gql-current-user.decorator';
import { ProfileModel } from './dto/profile.model';
import { ProfilesService } from './profiles.service';

/** Profile queries of the public GraphQL API; every one needs a valid access token. */
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
}
