import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform';
import type { MessengerConfig } from '../config/messenger.config';
import { FriendshipReplica } from '../friends-client/friendship-replica.repository';
import { ClientNotifier } from './client-notifier';
import { ConnectionRegistry } from './connection-registry';

/**
 * `presence {userId, online}` for a user's friends: "online" when their first socket opens
 * (on any instance), "offline" once their last one has stayed closed for
 * `PRESENCE_OFFLINE_DELAY_MS` — a page reload or a flaky network does not flap. Who is
 * announced is settled in Redis ({@link ConnectionRegistry}), so several instances agree;
 * friends come from the local friendship replica, not a call to friends per connection.
 */
@Injectable()
export class PresenceService implements OnApplicationShutdown {
  private readonly logger = new Logger(PresenceService.name);
  private readonly offlineTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly friendships: FriendshipReplica,
    private readonly notifier: ClientNotifier,
    @Inject(APP_CONFIG) private readonly config: MessengerConfig,
  ) {}

  /** A socket of `userId` opened (already counted by the registry). */
  async connected(userId: string): Promise<void> {
    this.cancelOffline(userId);
    if (await this.registry.claimOnline(userId)) await this.announce(userId, true);
  }

  /** A socket of `userId` closed. */
  async disconnected(userId: string, socketId: string): Promise<void> {
    const left = await this.registry.remove(userId, socketId);
    if (left > 0) return;
    this.cancelOffline(userId);
    const timer = setTimeout(() => {
      this.offlineTimers.delete(userId);
      this.settleOffline(userId).catch((error: unknown) =>
        this.logger.warn({ err: error, userId }, 'presence: offline not announced'),
      );
    }, this.config.presence.offlineDelayMs);
    timer.unref();
    this.offlineTimers.set(userId, timer);
  }

  onApplicationShutdown(): void {
    this.offlineTimers.forEach((timer) => clearTimeout(timer));
    this.offlineTimers.clear();
  }

  private async settleOffline(userId: string): Promise<void> {
    // Re-checked in Redis: the user may have come back on another instance meanwhile.
    if (await this.registry.claimOffline(userId)) await this.announce(userId, false);
  }

  private cancelOffline(userId: string): void {
    clearTimeout(this.offlineTimers.get(userId));
    this.offlineTimers.delete(userId);
  }

  private async announce(userId: string, online: boolean): Promise<void> {
    const friendIds = await this.friendships.friendsOf(userId);
    this.notifier.toUsers(friendIds, 'presence', { userId, online });
  }
}
