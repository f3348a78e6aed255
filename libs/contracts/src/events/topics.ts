import { z } from 'zod';

/** Topic names, `<domain>.<entity>.<past-tense>.v1`, as fixed in ARCHITECTURE.md. */
export const Topics = {
  UserRegistered: 'auth.user.registered.v1',
  UserDeleted: 'auth.user.deleted.v1',
  ProfileUpdated: 'profile.profile.updated.v1',
  FriendRequestSent: 'friends.request.sent.v1',
  FriendRequestAccepted: 'friends.request.accepted.v1',
  FriendRequestDeclined: 'friends.request.declined.v1',
  FriendshipRemoved: 'friends.friendship.removed.v1',
  FriendRequestCancelled: 'friends.request.cancelled.v1',
  UserBlocked: 'friends.user.blocked.v1',
  UserUnblocked: 'friends.user.unblocked.v1',
  MessageSent: 'messenger.message.sent.v1',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

const userId = z.uuid();

/**
 * Runtime schemas of every payload, keyed by topic. Consumers validate with these
 * before a handler runs, so a malformed record never reaches domain code.
 */
export const EventPayloadSchemas = {
  [Topics.UserRegistered]: z.object({ userId, email: z.email(), nickname: z.string().min(1) }),
  [Topics.UserDeleted]: z.object({ userId }),
  [Topics.ProfileUpdated]: z.object({
    userId,
    nickname: z.string().min(1),
    displayName: z.string().nullable(),
    avatarUrl: z.string().nullable(),
  }),
  [Topics.FriendRequestSent]: z.object({
    requestId: z.uuid(),
    fromUserId: userId,
    toUserId: userId,
  }),
  [Topics.FriendRequestAccepted]: z.object({
    requestId: z.uuid(),
    fromUserId: userId,
    toUserId: userId,
  }),
  [Topics.FriendRequestDeclined]: z.object({
    requestId: z.uuid(),
    fromUserId: userId,
    toUserId: userId,
  }),
  [Topics.FriendshipRemoved]: z.object({ userId, otherUserId: userId }),
  /** A pending request withdrawn by its sender, or voided because one side blocked the other. */
  [Topics.FriendRequestCancelled]: z.object({
    requestId: z.uuid(),
    fromUserId: userId,
    toUserId: userId,
  }),
  [Topics.UserBlocked]: z.object({ userId, blockedUserId: userId }),
  [Topics.UserUnblocked]: z.object({ userId, blockedUserId: userId }),
  [Topics.MessageSent]: z.object({
    messageId: z.uuid(),
    chatId: z.uuid(),
    senderId: userId,
    memberIds: z.array(userId),
  }),
} satisfies Record<Topic, z.ZodType>;

/** The payload type of a topic, inferred from its schema. */
export type EventPayload<T extends Topic> = z.infer<(typeof EventPayloadSchemas)[T]>;

export const ALL_TOPICS: readonly Topic[] = Object.values(Topics);

/** Dead-letter topic of a topic (used by the retry policy of libs/kafka). */
export const deadLetterTopic = (topic: Topic): string => `${topic}.dlq`;
