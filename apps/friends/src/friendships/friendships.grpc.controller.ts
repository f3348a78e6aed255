import { Controller } from '@nestjs/common';
import { ErrorCodes, FriendsV1 } from '@app/contracts';
import { DomainError } from '@app/platform';
import { FriendshipsService } from './friendships.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Refuses a field that is not a UUID with INVALID_ARGUMENT (proto strings are unchecked). */
function requireUuid(field: string, value: string): string {
  if (!UUID.test(value)) {
    throw new DomainError(
      'INVALID_ARGUMENT',
      ErrorCodes.VALIDATION_FAILED,
      `${field} must be a UUID`,
      [{ field, message: 'must be a UUID' }],
    );
  }
  return value;
}

/** `friends.v1.FriendsService`: friendship checks for other services (messenger). */
@Controller()
@FriendsV1.FriendsServiceControllerMethods()
export class FriendshipsGrpcController implements FriendsV1.FriendsServiceController {
  constructor(private readonly friendships: FriendshipsService) {}

  async areFriends(request: FriendsV1.AreFriendsRequest): Promise<FriendsV1.AreFriendsResponse> {
    return this.friendships.relation(
      requireUuid('userId', request.userId),
      requireUuid('otherUserId', request.otherUserId),
    );
  }

  async listFriendIds(
    request: FriendsV1.ListFriendIdsRequest,
  ): Promise<FriendsV1.ListFriendIdsResponse> {
    return { friendIds: await this.friendships.friendIds(requireUuid('userId', request.userId)) };
  }
}
