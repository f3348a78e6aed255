import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform';
import CircuitBreaker from 'opossum';
import type { MessengerConfig } from '../config/messenger.config';
import { FriendshipReplica } from './friendship-replica.repository';
import { Friendship, FriendshipChecker } from './friendship-checker';
import { GrpcFriendshipChecker } from './grpc-friendship-checker';

/**
 * The {@link FriendshipChecker} the app uses: friends' `AreFriends` (the truth) through a
 * circuit breaker; while calls fail or the circuit is open, the local replica answers.
 * The replica lags friends by the event delay at most.
 */
@Injectable()
export class ResilientFriendshipChecker extends FriendshipChecker implements OnModuleDestroy {
  private readonly logger = new Logger(ResilientFriendshipChecker.name);
  private readonly breaker: CircuitBreaker<[string, string], Friendship>;

  constructor(
    remote: GrpcFriendshipChecker,
    private readonly replica: FriendshipReplica,
    @Inject(APP_CONFIG) config: MessengerConfig,
  ) {
    super();
    this.breaker = new CircuitBreaker((a: string, b: string) => remote.check(a, b), {
      // The gRPC call has its own deadline; opossum only counts failures.
      timeout: false,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeout: config.friendsBreaker.resetMs,
    });
    this.breaker.on('open', () => this.logger.warn('friends circuit open: answering from replica'));
    this.breaker.on('close', () => this.logger.log('friends circuit closed'));
  }

  async check(userId: string, otherUserId: string): Promise<Friendship> {
    try {
      return await this.breaker.fire(userId, otherUserId);
    } catch {
      return this.replica.relation(userId, otherUserId);
    }
  }

  onModuleDestroy(): void {
    this.breaker.shutdown();
  }
}
