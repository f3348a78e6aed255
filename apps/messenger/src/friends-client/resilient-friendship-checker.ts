import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { APP_CONFIG, DomainError } from '@app/platform';
import CircuitBreaker from 'opossum';
import type { MessengerConfig } from '../config/messenger.config';
import { FriendshipReplica } from './friendship-replica.repository';
import { Friendship, FriendshipChecker } from './friendship-checker';
import { FriendshipRevocations } from './friendship-revocations';
import { GrpcFriendshipChecker } from './grpc-friendship-checker';

/**
 * The {@link FriendshipChecker} the app uses: friends' `AreFriends` (the truth) through a
 * circuit breaker; while calls fail or the circuit is open, the local replica answers.
 * The replica lags friends by the event delay at most — except that its "friends" is not
 * taken for a pair friends has just announced an unfriend or a block of, which it has
 * likely not heard of yet: that answer fails closed, `UNAVAILABLE` (ADR 0038).
 */
@Injectable()
export class ResilientFriendshipChecker extends FriendshipChecker implements OnModuleDestroy {
  private readonly logger = new Logger(ResilientFriendshipChecker.name);
  private readonly breaker: CircuitBreaker<[string, string], Friendship>;

  constructor(
    remote: GrpcFriendshipChecker,
    private readonly replica: FriendshipReplica,
    private readonly revocations: FriendshipRevocations,
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
      const relation = await this.replica.relation(userId, otherUserId);
      const friendly = relation.friends && !relation.blocked;
      if (friendly && this.revocations.revokedLately(userId, otherUserId)) {
        throw new DomainError(
          'UNAVAILABLE',
          ErrorCodes.UNAVAILABLE,
          'Friendship cannot be checked right now, try again',
        );
      }
      return relation;
    }
  }

  onModuleDestroy(): void {
    this.breaker.shutdown();
  }
}
