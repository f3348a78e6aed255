import { Injectable } from '@nestjs/common';
import { FriendshipChecker } from '../friends-client/friendship-checker';
import { FriendshipReplica } from '../friends-client/friendship-replica.repository';
import type { MemberRole } from './chat.view';
import { forbidden, invalidMembers, notAGroup, notAMember, notFriends } from './chats.errors';
import { ChatsRepository, Membership } from './chats.repository';

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
    const membership = await this.member(chatId, userId, withMemberIds);
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
