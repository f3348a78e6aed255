import { Injectable } from '@nestjs/common';
import { AccountLifecycle } from '@app/contracts';
import { VersionGate } from '@app/kafka';
import { FriendshipChecker } from '../friends-client/friendship-checker';
import { FriendshipReplica } from '../friends-client/friendship-replica.repository';
import { FriendshipRevocations } from '../friends-client/friendship-revocations';
import type { MemberRole } from './chat.view';
import { forbidden, invalidMembers, notAGroup, notAMember, notFriends } from './chats.errors';
import { ChatsRepository, Membership } from './chats.repository';
import { MembershipCache } from './membership-cache';

/**
 * The permission rules of chats, asked on every read and write (not only when a chat is
 * made): membership, group roles, and the friendship rule of direct chats and of adding
 * people. A non-member learns nothing about a chat, not even that it exists.
 *
 * Friendship is answered by messenger's replica of friends' state when the replica says
 * "friends, no block" — the common case costs no call to friends. Any other answer is
 * confirmed with friends' `AreFriends` (through the circuit breaker), because the replica
 * may not have heard of a friendship yet; so is a "friends" for a pair friends has just
 * announced an unfriend or a block of, which the replica hears of only later (ADR 0017,
 * ADR 0038).
 */
@Injectable()
export class ChatAccess {
  constructor(
    private readonly chats: ChatsRepository,
    private readonly friendships: FriendshipChecker,
    private readonly replica: FriendshipReplica,
    private readonly revocations: FriendshipRevocations,
    private readonly cache: MembershipCache,
    private readonly versions: VersionGate,
  ) {}

  /** The caller's membership of the chat (with its member ids if asked), or `CHAT.NOT_MEMBER`. */
  async member(chatId: string, userId: string, withMemberIds = false): Promise<Membership> {
    const membership = await this.chats.membership(chatId, userId, withMemberIds);
    if (!membership) throw notAMember();
    return membership;
  }

  /**
   * For writes that a direct chat allows only between friends (sending, reacting, typing):
   * the membership, or `MESSENGER.NOT_FRIENDS` (nothing stored, nothing pushed).
   */
  async writer(chatId: string, userId: string, withMemberIds = false): Promise<Membership> {
    return this.friendly(userId, await this.member(chatId, userId, withMemberIds));
  }

  /**
   * {@link member} for the hot writes (sends, edits, deletes, reactions, typing), from
   * the in-process {@link MembershipCache} (with every member id): a cached "member" is
   * taken as is, anything else is asked of the database. The timeline writes re-check
   * membership under the chat row's lock; typing relies on this answer alone.
   */
  async cachedMember(chatId: string, userId: string): Promise<Membership> {
    const roster = await this.cache.roster(chatId);
    const role = roster?.roles.get(userId);
    if (!roster || !role) {
      const membership = await this.member(chatId, userId, true);
      // The database knows a member the cache did not: the cache is behind.
      this.cache.forget(chatId);
      return membership;
    }
    const peerId =
      roster.kind === 'direct' ? (roster.memberIds.find((id) => id !== userId) ?? null) : null;
    return {
      chatId,
      kind: roster.kind,
      role,
      memberIds: roster.memberIds,
      peerId,
      peerFriendly: roster.peerFriendly,
    };
  }

  /** {@link writer} from the cache, as {@link cachedMember}. */
  async cachedWriter(chatId: string, userId: string): Promise<Membership> {
    return this.friendly(userId, await this.cachedMember(chatId, userId));
  }

  /** The friendship rule of direct chats: the replica's "yes", else friends' answer. */
  private async friendly(userId: string, membership: Membership): Promise<Membership> {
    if (membership.kind !== 'direct') return membership;
    const { peerId } = membership;
    if (!peerId) throw notFriends();
    if (membership.peerFriendly && !this.revocations.revokedLately(userId, peerId)) {
      return membership;
    }
    const relation = await this.friendships.check(userId, peerId);
    if (!relation.friends || relation.blocked) throw notFriends();
    return membership;
  }

  /** The membership of a group member whose role is one of `roles`. */
  async groupRole(
    chatId: string,
    userId: string,
    roles: readonly MemberRole[],
  ): Promise<Membership> {
    const membership = await this.member(chatId, userId);
    if (membership.kind !== 'group') throw notAGroup();
    if (!roles.includes(membership.role)) {
      throw forbidden(`Only the group's ${roles.join(' or ')} can do this`);
    }
    return membership;
  }

  /**
   * Checks that `actorId` may bring each of `userIds` into a chat: every one a user
   * messenger knows (`MESSENGER.INVALID_MEMBERS`), a friend of the actor and not blocking
   * it either way (`MESSENGER.NOT_FRIENDS`). Unknown ids are refused before the known
   * ones' friendships are looked at, and neither error says which user or why.
   *
   * Both replicas follow events, so a person who just registered and was befriended may
   * be missing from the users replica when the actor, who saw the friendship in friends'
   * own answer, asks for a chat. An id the replica does not know therefore counts as
   * unknown only when friends does not confirm it as the actor's friend (a friendship
   * exists between accounts only) or messenger has already applied its account's deletion.
   */
  async mayAdd(actorId: string, userIds: readonly string[]): Promise<void> {
    const relations = await this.replica.relationsOf(actorId, userIds);
    const doubtful = relations
      .filter((r) => !r.friends || r.blocked || this.revocations.revokedLately(actorId, r.userId))
      .map((r) => r.userId);
    // A friend exists by definition; only the others need the users replica.
    const unknown = new Set(await this.chats.unknownUsers(doubtful));
    for (const userId of unknown) {
      if (!(await this.friendsSay(actorId, userId)) || (await this.erased(userId))) {
        throw invalidMembers('Some of these users do not exist');
      }
    }
    for (const userId of doubtful) {
      if (!unknown.has(userId) && !(await this.friendsSay(actorId, userId))) throw notFriends();
    }
  }

  /** friends' answer (the replica's while friends cannot answer): friends, no block. */
  private async friendsSay(actorId: string, otherId: string): Promise<boolean> {
    const relation = await this.friendships.check(actorId, otherId);
    return relation.friends && !relation.blocked;
  }

  /** Whether messenger has applied the account's deletion (friends may not have yet). */
  private erased(userId: string): Promise<boolean> {
    return this.versions.reached(AccountLifecycle.stream(userId), AccountLifecycle.deleted);
  }
}
