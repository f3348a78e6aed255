import { z } from 'zod';
import { TimelineEventTypeSchema } from '../socket/schemas';

/** Topic names, `<domain>.<entity>.<past-tense>.v1`, as fixed in ARCHITECTURE.md. */
export const Topics = {
  UserRegistered: 'auth.user.registered.v1',
  UserDeleted: 'auth.user.deleted.v1',
  SessionRevoked: 'auth.session.revoked.v1',
  AccountSuspended: 'auth.account.suspended.v1',
  AccountReinstated: 'auth.account.reinstated.v1',
  ProfileUpdated: 'profile.profile.updated.v1',
  FriendRequestSent: 'friends.request.sent.v1',
  FriendRequestAccepted: 'friends.request.accepted.v1',
  FriendRequestDeclined: 'friends.request.declined.v1',
  FriendshipRemoved: 'friends.friendship.removed.v1',
  FriendRequestCancelled: 'friends.request.cancelled.v1',
  UserBlocked: 'friends.user.blocked.v1',
  UserUnblocked: 'friends.user.unblocked.v1',
  MessageSent: 'messenger.message.sent.v1',
  ChatChanged: 'messenger.chat.changed.v1',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

const userId = z.uuid();

/**
 * Every event of a pair of users (friends' aggregate) carries the pair's version after
 * it: 1, 2, 3 … per pair. The pair's events travel on several topics, and Kafka keeps
 * order only within one partition, so a consumer whose state follows several of them
 * compares versions and skips an event older than one it already applied.
 */
const pairVersion = z
  .number()
  .int()
  .positive()
  .describe('Version of the pair of users after this event (1, 2, 3 … per pair)');

/**
 * Runtime schemas of every payload, keyed by topic. Consumers validate with these
 * before a handler runs, so a malformed record never reaches domain code.
 */
export const EventPayloadSchemas = {
  [Topics.UserRegistered]: z.object({ userId, email: z.email(), nickname: z.string().min(1) }),
  [Topics.UserDeleted]: z.object({ userId }),
  /** A session ended: its access tokens are refused everywhere from now on, not at `exp`. */
  [Topics.SessionRevoked]: z.object({
    userId,
    sessionId: z.uuid(),
    reason: z
      .enum(['logout', 'refresh_token_reuse', 'account_deleted', 'account_suspended', 'revoked'])
      .describe(
        'Why: logout, a reused refresh token, deletion, suspension, or revoked by its user',
      ),
  }),
  /** An administrator suspended an account: it cannot log in or refresh, its sessions ended. */
  [Topics.AccountSuspended]: z.object({
    userId,
    reason: z.string().min(1).max(500).describe('Why, as the administrator wrote it'),
    actorId: userId.describe('The administrator who suspended the account'),
  }),
  /** An administrator lifted a suspension: the account may log in again. */
  [Topics.AccountReinstated]: z.object({
    userId,
    actorId: userId.describe('The administrator who reinstated the account'),
  }),
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
    pairVersion,
  }),
  [Topics.FriendRequestAccepted]: z.object({
    requestId: z.uuid(),
    fromUserId: userId,
    toUserId: userId,
    pairVersion,
  }),
  [Topics.FriendRequestDeclined]: z.object({
    requestId: z.uuid(),
    fromUserId: userId,
    toUserId: userId,
    pairVersion,
  }),
  [Topics.FriendshipRemoved]: z.object({ userId, otherUserId: userId, pairVersion }),
  /** A pending request withdrawn by its sender, or voided because one side blocked the other. */
  [Topics.FriendRequestCancelled]: z.object({
    requestId: z.uuid(),
    fromUserId: userId,
    toUserId: userId,
    pairVersion,
  }),
  [Topics.UserBlocked]: z.object({ userId, blockedUserId: userId, pairVersion }),
  [Topics.UserUnblocked]: z.object({ userId, blockedUserId: userId, pairVersion }),
  [Topics.MessageSent]: z.object({
    messageId: z.uuid(),
    chatId: z.uuid(),
    senderId: userId,
    memberIds: z.array(userId),
  }),
  /** Every other change of a chat's timeline (edits, deletes, reactions, membership, title). */
  [Topics.ChatChanged]: z.object({
    chatId: z.uuid(),
    seq: z.number().int().positive().describe("The change's seq in the chat's timeline"),
    type: TimelineEventTypeSchema.exclude(['message.created']).describe(
      'The timeline event type (message.created goes to messenger.message.sent.v1)',
    ),
    actorId: userId,
  }),
} satisfies Record<Topic, z.ZodType>;

/** The payload type of a topic, inferred from its schema. */
export type EventPayload<T extends Topic> = z.infer<(typeof EventPayloadSchemas)[T]>;

export const ALL_TOPICS: readonly Topic[] = Object.values(Topics);

/** Dead-letter topic of a topic (used by the retry policy of libs/kafka). */
export const deadLetterTopic = (topic: Topic): string => `${topic}.dlq`;
