import { Args, Context, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { GqlContext } from '../graphql/gql-context';
import { ProfileModel } from '../profiles/dto/profile.model';
import {
  ProfileConnectionModel,
  toProfileConnection,
} from '../profiles/dto/profile-connection.model';
import { type FriendsLoaders, FriendshipsService } from './friendships.service';

/**
 * `Profile.friendsCount` and `Profile.friends`, from profile's own friendships read model.
 * Fields of one request share DataLoaders, so a response with many profiles costs one
 * query per field kind, not one per profile.
 */
@Resolver(() => ProfileModel)
export class FriendshipsResolver {
  /** One set of loaders per request; dropped with the request's context. */
  private readonly loaders = new WeakMap<GqlContext, FriendsLoaders>();

  constructor(private readonly friendships: FriendshipsService) {}

  @ResolveField(() => Int, { description: 'How many confirmed friends the user has.' })
  friendsCount(@Parent() profile: ProfileModel, @Context() ctx: GqlContext): Promise<number> {
    return this.friendships.countFriends(this.loadersOf(ctx), profile.id);
  }

  @ResolveField(() => ProfileConnectionModel, {
    description: "The user's confirmed friends, most recent friendship first.",
  })
  async friends(
    @Parent() profile: ProfileModel,
    @Context() ctx: GqlContext,
    @Args('first', {
      type: () => Int,
      nullable: true,
      description: 'How many friends to return: 1–100, default 20.',
    })
    first?: number | null,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: '`endCursor` of the previous page, to continue after it.',
    })
    after?: string | null,
  ): Promise<ProfileConnectionModel> {
    const page = await this.friendships.friendsOf(this.loadersOf(ctx), profile.id, first, after);
    return toProfileConnection(page);
  }

  private loadersOf(ctx: GqlContext): FriendsLoaders {
    let loaders = this.loaders.get(ctx);
    if (!loaders) {
      loaders = this.friendships.createLoaders();
      this.loaders.set(ctx, loaders);
    }
    return loaders;
  }
}
