import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ClientGrpc } from '@nestjs/microservices';
import { ErrorCodes, FriendsV1 } from '@app/contracts';
import { APP_CONFIG, callWithDeadline, DomainError } from '@app/platform';
import type { MessengerConfig } from '../config/messenger.config';
import { Friendship, FriendshipChecker } from './friendship-checker';

/** Injection token of the Nest gRPC client of `friends.v1`. */
export const FRIENDS_GRPC_CLIENT = Symbol('FRIENDS_GRPC_CLIENT');

/** {@link FriendshipChecker} over `friends.v1.FriendsService/AreFriends`. */
@Injectable()
export class GrpcFriendshipChecker extends FriendshipChecker implements OnModuleInit {
  private readonly logger = new Logger(GrpcFriendshipChecker.name);
  private friends!: FriendsV1.FriendsServiceClient;

  constructor(
    @Inject(FRIENDS_GRPC_CLIENT) private readonly client: ClientGrpc,
    @Inject(APP_CONFIG) private readonly config: MessengerConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.friends = this.client.getService<FriendsV1.FriendsServiceClient>(
      FriendsV1.FRIENDS_SERVICE_NAME,
    );
  }

  async check(userId: string, otherUserId: string): Promise<Friendship> {
    try {
      const response = await callWithDeadline(
        this.friends.areFriends.bind(this.friends),
        { userId, otherUserId },
        this.config.grpcDeadlineMs,
      );
      return { friends: response.friends, blocked: response.blocked };
    } catch (error) {
      this.logger.warn({ err: error }, 'friends.v1.FriendsService/AreFriends failed');
      throw new DomainError(
        'UNAVAILABLE',
        ErrorCodes.UNAVAILABLE,
        'Friendship cannot be checked right now, try again',
      );
    }
  }
}
