import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, RedisConnections } from '@app/platform';
import type { Redis } from 'ioredis';
import type { MessengerConfig } from '../config/messenger.config';
import { ChatRoster, ChatsRepository } from './chats.repository';

/**
 * The Redis channel every instance of one deployment hears membership changes on, under the
 * service's `REDIS_KEY_PREFIX` (like the socket.io adapter's), so stacks sharing a Redis do
 * not drop each other's cache entries.
 */
const channelOf = (keyPrefix: string): string => `${keyPrefix}:membership-changed`;
/** Chats kept at most; the oldest entry goes first (a hot chat is simply read again). */
const MAX_CHATS = 100_000;

const pairKey = (a: string, b: string): string => [a, b].sort().join(':');

/**
 * Who is in each chat, kept in this instance's memory for the permission checks of the
 * hottest events (`typing`, `message:send`, reactions, edits, deletes): a hit costs no
 * query. It is never stale beyond the invalidation:
 *
 * - every membership or role change, on any instance, drops the chat after it commits —
 *   on the instance that made it at once, on the others when the message on the Redis
 *   channel arrives (typically well under a millisecond); so do friendship and block
 *   changes (the friendship rule of direct chats) and account deletions;
 * - a read that was in flight while an invalidation arrived is not kept (an epoch);
 * - while the subscription is down the cache is bypassed and emptied, and it fills again
 *   only once re-subscribed, so an invalidation missed during an outage cannot linger.
 *
 * Only "yes" answers are trusted (see ChatAccess): a "no" is confirmed in the database,
 * and every timeline write re-checks membership under the chat row's lock anyway. What
 * the window allows is a typing signal from, or to, someone removed a moment ago on
 * another instance — see docs/adr/0032.
 */
@Injectable()
export class MembershipCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(MembershipCache.name);
  private readonly chats = new Map<string, ChatRoster>();
  /** Direct chats by their pair of members, to drop one when a friendship changes. */
  private readonly directChats = new Map<string, string>();
  /** Reads in flight, by chat, with the epoch they started in. */
  private readonly loading = new Map<
    string,
    { epoch: number; roster: Promise<ChatRoster | null> }
  >();
  private epoch = 0;
  private live = false;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;

  constructor(
    private readonly repository: ChatsRepository,
    @Inject(RedisConnections) redis: RedisConnections,
    @Inject(APP_CONFIG) config: MessengerConfig,
  ) {
    this.channel = channelOf(config.redis.keyPrefix);
    // Lazy, so that nothing connects before init.
    this.publisher = redis.open('membership-pub', { lazyConnect: true });
    this.subscriber = redis.open('membership-sub', { lazyConnect: true, autoResubscribe: false });
  }

  onModuleInit(): void {
    this.subscriber.on('message', (_channel: string, message: string) => this.apply(message));
    this.subscriber.on('ready', () => void this.subscribe());
    this.subscriber.on('close', () => this.suspend());
    this.subscriber.connect().catch(() => undefined);
    this.publisher.connect().catch(() => undefined);
  }

  // The connections themselves are closed by RedisModule.
  onApplicationShutdown(): void {
    this.suspend();
  }

  /** The chat's roster (cached, or read and kept), or null when the chat does not exist. */
  async roster(chatId: string): Promise<ChatRoster | null> {
    if (this.live) {
      const cached = this.chats.get(chatId);
      if (cached) return cached;
    }
    // Callers asking for the same chat while it is read share the read, unless something
    // was invalidated since it started.
    const loading = this.loading.get(chatId);
    if (loading && loading.epoch === this.epoch) return loading.roster;
    const epoch = this.epoch;
    const roster = this.repository.roster(chatId);
    this.loading.set(chatId, { epoch, roster });
    try {
      const loaded = await roster;
      if (loaded && this.live && epoch === this.epoch) this.keep(chatId, loaded);
      return loaded;
    } finally {
      if (this.loading.get(chatId)?.roster === roster) this.loading.delete(chatId);
    }
  }

  /** Drops a chat this instance found stale (the database disagreed with it). */
  forget(chatId: string): void {
    this.drop(`chat:${chatId}`);
  }

  /** A chat's members or roles changed (call after commit): every instance drops it. */
  chatChanged(chatId: string): void {
    this.announce(`chat:${chatId}`);
  }

  /** Two users' friendship or blocks changed (after commit): their direct chat is dropped. */
  pairChanged(a: string, b: string): void {
    this.announce(`pair:${pairKey(a, b)}`);
  }

  /** A user left the platform (after commit): every chat they were in is dropped. */
  userChanged(userId: string): void {
    this.announce(`user:${userId}`);
  }

  private announce(message: string): void {
    this.drop(message);
    this.publisher
      .publish(this.channel, message)
      .catch((error: Error) =>
        this.logger.warn(`membership change not announced to other instances: ${error.message}`),
      );
  }

  private apply(message: string): void {
    this.drop(message);
  }

  private drop(message: string): void {
    this.epoch += 1;
    const [kind, ...rest] = message.split(':');
    const id = rest.join(':');
    if (kind === 'chat') {
      this.remove(id);
    } else if (kind === 'pair') {
      const chatId = this.directChats.get(id);
      if (chatId) this.remove(chatId);
      this.directChats.delete(id);
    } else if (kind === 'user') {
      for (const [chatId, roster] of this.chats) {
        if (roster.roles.has(id)) this.remove(chatId);
      }
    }
  }

  private remove(chatId: string): void {
    const roster = this.chats.get(chatId);
    if (!roster) return;
    this.chats.delete(chatId);
    if (roster.kind === 'direct' && roster.memberIds.length === 2) {
      this.directChats.delete(pairKey(roster.memberIds[0], roster.memberIds[1]));
    }
  }

  private keep(chatId: string, roster: ChatRoster): void {
    if (this.chats.size >= MAX_CHATS) {
      const oldest = this.chats.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
    this.chats.set(chatId, roster);
    if (roster.kind === 'direct' && roster.memberIds.length === 2) {
      this.directChats.set(pairKey(roster.memberIds[0], roster.memberIds[1]), chatId);
    }
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.logger.warn(`membership channel not subscribed: ${(error as Error).message}`);
      return;
    }
    // Whatever changed while unsubscribed went unheard: start empty.
    this.clear();
    this.live = true;
  }

  private suspend(): void {
    this.live = false;
    this.clear();
  }

  private clear(): void {
    this.epoch += 1;
    this.chats.clear();
    this.directChats.clear();
  }
}
