import { Injectable } from '@nestjs/common';
import { FriendshipChecker } from '../friends-client/friendship-checker';
import { FriendshipReplica } from '../friends-client/friendship-replica.repository';
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
 * may not have heard of a friendship yet; see docs/adr/0017 for how stale it can be.
 */
@Injectable()
export class ChatAccess {
  constructor(
    private readonly chats: ChatsRepository,
    private readonly friendships: FriendshipChecker,
    private readonly replica: FriendshipReplica,
    private readonly cache: MembershipCache,
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
    if (membership.kind === 'direct' && !membership.peerFriendly) {
      if (!membership.peerId) throw notFriends();
      const relation = await this.friendships.check(userId, membership.peerId);
      if (!relation.friends || relation.blocked) throw notFriends();
    }
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
   * it either way (`MESSENGER.NOT_FRIENDS`). Unknown ids are refused before anyone's
   * friendships are looked at, and neither error says which user or why.
   */
  async mayAdd(actorId: string, userIds: readonly string[]): Promise<void> {
    const relations = await this.replica.relationsOf(actorId, userIds);
    const doubtful = relations.filter((r) => !r.friends || r.blocked);
    // A friend exists by definition; only the others need the users replica.
    const unknown = await this.chats.unknownUsers(doubtful.map((r) => r.userId));
    if (unknown.length > 0) throw invalidMembers('Some of these users do not exist');
    for (const { userId } of doubtful) {
      const relation = await this.friendships.check(actorId, userId);
      if (!relation.friends || relation.blocked) throw notFriends();
    }
  }
}
