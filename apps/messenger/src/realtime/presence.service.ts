import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { SocketApi } from '@app/contracts';
import { APP_CONFIG } from '@app/platform';
import type { MessengerConfig } from '../config/messenger.config';
import { FriendshipReplica } from '../friends-client/friendship-replica.repository';
import { ClientNotifier } from './client-notifier';
import { ConnectionRegistry } from './connection-registry';

/** How many users one sweep for a dead instance's users looks at. */
const SWEEP_BATCH = 200;

/**
 * `presence {userId, online, lastSeenAt}` for a user's friends: "online" when their first
 * socket opens (on any instance), "offline" once their last one has stayed closed for
 * `PRESENCE_OFFLINE_DELAY_MS` — a page reload or a flaky network does not flap. Who is
 * announced is settled in Redis ({@link ConnectionRegistry}), so several instances agree;
 * friends come from the local friendship replica, not a call to friends per connection.
 *
 * Users of an instance that died without closing its sockets are announced offline by
 * whichever instance sweeps first once their socket entries expire: within
 * `PRESENCE_CONNECTION_TTL_MS` + `PRESENCE_SWEEP_MS` of the death.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PresenceService.name);
  private readonly offlineTimers = new Map<string, NodeJS.Timeout>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly friendships: FriendshipReplica,
    private readonly notifier: ClientNotifier,
    @Inject(APP_CONFIG) private readonly config: MessengerConfig,
  ) {}

  onModuleInit(): void {
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'presence: sweep for dead instances failed'),
      );
    }, this.config.presence.sweepMs);
    this.sweeper.unref();
  }

  /** A socket of `userId` opened (already counted by the registry). */
  async connected(userId: string): Promise<void> {
    this.cancelOffline(userId);
    if (await this.registry.claimOnline(userId)) await this.announce(userId, true, Date.now());
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

  /**
   * `presence:get`: who of `userIds` is online and when each was last seen — for the
   * caller's friends and co-members (`visible`); anyone else reads as offline, with no
   * `lastSeenAt` at all (ARCHITECTURE.md).
   */
  async of(
    userIds: readonly string[],
    visible: ReadonlySet<string>,
  ): Promise<SocketApi.Presence[]> {
    const shown = userIds.filter((id) => visible.has(id));
    const known = new Map((await this.registry.presenceOf(shown)).map((p) => [p.userId, p]));
    return userIds.map((userId) => {
      if (!visible.has(userId)) return { userId, online: false };
      const presence = known.get(userId);
      return {
        userId,
        online: presence?.online ?? false,
        lastSeenAt: presence?.lastSeenAt ? new Date(presence.lastSeenAt).toISOString() : null,
      };
    });
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.offlineTimers.forEach((timer) => clearTimeout(timer));
    this.offlineTimers.clear();
  }

  /** Announces offline the users whose instance died (their socket entries expired). */
  private async sweep(): Promise<void> {
    for (const userId of await this.registry.expiredOnline(SWEEP_BATCH)) {
      await this.settleOffline(userId);
    }
  }

  private async settleOffline(userId: string): Promise<void> {
    // Re-checked in Redis: the user may have come back on another instance meanwhile.
    if (await this.registry.claimOffline(userId)) {
      await this.announce(userId, false, (await this.registry.lastSeen(userId)) ?? Date.now());
    }
  }

  private cancelOffline(userId: string): void {
    clearTimeout(this.offlineTimers.get(userId));
    this.offlineTimers.delete(userId);
  }

  private async announce(userId: string, online: boolean, seenAt: number): Promise<void> {
    const friendIds = await this.friendships.friendsOf(userId);
    this.notifier.toUsers(friendIds, 'presence', {
      userId,
      online,
      lastSeenAt: new Date(seenAt).toISOString(),
    });
  }
}
