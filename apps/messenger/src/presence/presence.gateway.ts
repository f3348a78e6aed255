import { UseFilters } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { SocketApi } from '@app/contracts';
import { ChatsRepository } from '../chats/chats.repository';
import { FriendshipReplica } from '../friends-client/friendship-replica.repository';
import { ok } from '../realtime/ack';
import { PresenceService } from '../realtime/presence.service';
import { Payload } from '../realtime/socket-payload.pipe';
import { type SocketIdentity, SocketUser } from '../realtime/socket-user';
import { WsAckExceptionFilter } from '../realtime/ws-ack-exception.filter';

/**
 * `presence:get {userIds}` → `{users: [{userId, online, lastSeenAt}]}`. Presence is shown
 * to friends and co-members only: anyone else reads as offline and never seen, so the
 * answer does not tell a stranger whether an id is in use.
 */
@WebSocketGateway()
@UseFilters(WsAckExceptionFilter)
export class PresenceGateway {
  constructor(
    private readonly presence: PresenceService,
    private readonly friendships: FriendshipReplica,
    private readonly chats: ChatsRepository,
  ) {}

  @SubscribeMessage('presence:get')
  async get(
    @SocketUser() user: SocketIdentity,
    @Payload('presence:get') input: SocketApi.ValidClientPayload<'presence:get'>,
  ): Promise<{ ok: true } & SocketApi.AckBody<'presence:get'>> {
    const asked = [...new Set(input.userIds)];
    const [friends, coMembers] = await Promise.all([
      this.friendships.friendsAmong(user.userId, asked),
      this.chats.coMembers(user.userId, asked),
    ]);
    const visible = new Set([...friends, ...coMembers, user.userId]);
    return ok({ users: await this.presence.of(input.userIds, visible) });
  }
}
