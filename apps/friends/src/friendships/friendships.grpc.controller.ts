import { Controller } from '@nestjs/common';
import { FriendsV1 } from '@app/contracts';
import { assertUuid } from '@app/platform';
import { FriendshipsService } from './friendships.service';

/**
 * `friends.v1.FriendsService`: friendship checks for other services (messenger). Proto
 * strings arrive unchecked, so each id is checked here.
 */
@Controller()
@FriendsV1.FriendsServiceControllerMethods()
export class FriendshipsGrpcController implements FriendsV1.FriendsServiceController {
  constructor(private readonly friendships: FriendshipsService) {}

  async areFriends(request: FriendsV1.AreFriendsRequest): Promise<FriendsV1.AreFriendsResponse> {
    return this.friendships.relation(
      assertUuid('userId', request.userId),
      assertUuid('otherUserId', request.otherUserId),
    );
  }

  async listFriendIds(
    request: FriendsV1.ListFriendIdsRequest,
  ): Promise<FriendsV1.ListFriendIdsResponse> {
    return { friendIds: await this.friendships.friendIds(assertUuid('userId', request.userId)) };
  }
}
