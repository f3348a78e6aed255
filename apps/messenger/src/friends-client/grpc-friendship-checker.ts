import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ClientGrpc } from '@nestjs/microservices';
import { ErrorCodes, FriendsV1 } from '@app/contracts';
import { APP_CONFIG, DomainError } from '@app/platform';
import { type CallOptions, Metadata } from '@grpc/grpc-js';
import { lastValueFrom, Observable, timeout } from 'rxjs';
import type { MessengerConfig } from '../config/messenger.config';
import { Friendship, FriendshipChecker } from './friendship-checker';

/** Injection token of the Nest gRPC client of `friends.v1`. */
export const FRIENDS_GRPC_CLIENT = Symbol('FRIENDS_GRPC_CLIENT');

/**
 * Nest's generated client methods forward extra arguments to grpc-js, which takes call
 * options (the deadline) third; ts-proto's interface just does not declare them.
 */
type UnaryWithOptions<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: CallOptions,
) => Observable<Res>;

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
    const ms = this.config.grpcDeadlineMs;
    const areFriends = this.friends.areFriends.bind(this.friends) as UnaryWithOptions<
      FriendsV1.AreFriendsRequest,
      FriendsV1.AreFriendsResponse
    >;
    try {
      // The gRPC deadline lets friends stop working on an abandoned call; rxjs timeout
      // backs it up should the call hang before it is even sent (no connection yet).
      const response = await lastValueFrom(
        areFriends({ userId, otherUserId }, new Metadata(), { deadline: Date.now() + ms }).pipe(
          timeout(ms + 250),
        ),
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
