import { z } from 'zod';

/**
 * The client-facing socket.io API of messenger, as data: every client → server event with
 * its payload and acknowledgement, every server → client push, and the shapes they share.
 * The server validates payloads with these schemas, clients (e2e tests, the web client)
 * import the inferred types, and `docs/socket-asyncapi.yaml` is generated from them — one
 * source of truth, no hand-copied types.
 */

/**
 * Any 8-4-4-4-12 hex id. Looser than RFC 9562 on purpose: an id that merely names nobody
 * must reach the rules that say so (`CHAT.NOT_MEMBER`, `MESSENGER.INVALID_MEMBERS`)
 * instead of a validation error.
 */
export const Id = z.guid();

/** One emoji as people type it: a single RGI emoji, ZWJ sequences, flags and skin tones included. */
// Built from a string: the `v` flag needs an ES2024 target in TypeScript's own regex check.
export const EMOJI_PATTERN = new RegExp('^\\p{RGI_Emoji}$', 'v');

/** Text of a message: 1–4,000 characters with something other than white space. */
export const MESSAGE_TEXT_MAX = 4000;
const messageText = z
  .string()
  .min(1)
  .max(MESSAGE_TEXT_MAX)
  .regex(/\S/, 'text must not be blank')
  .describe('The message text (1–4,000 characters, not only white space)');

/** A group's title: 1–100 characters once trimmed. */
export const CHAT_TITLE_MAX = 100;
const chatTitle = z.string().trim().min(1).max(CHAT_TITLE_MAX);

/** The most other members one `chat:create` or `chat:members:add` may name. */
export const MAX_MEMBERS_PER_CALL = 100;
/** The most members a group may have. */
export const MAX_GROUP_MEMBERS = 200;
export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_HISTORY_LIMIT = 100;
export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 100;
/** Most chats one `sync` call may ask about. */
export const MAX_SYNC_CHATS = 50;
/** Events per chat in one `sync` answer unless `limit` says otherwise. */
export const DEFAULT_SYNC_LIMIT = 100;
export const MAX_SYNC_LIMIT = 500;
/** Most users one `presence:get` may ask about. */
export const MAX_PRESENCE_USERS = 200;

const isoDate = z.iso.datetime({ offset: true }).describe('ISO-8601 timestamp');

// ---------------------------------------------------------------------------------------
// Shared shapes

export const MemberRoleSchema = z.enum(['owner', 'admin', 'member']);
export type MemberRole = z.infer<typeof MemberRoleSchema>;

export const ChatMemberSchema = z.object({
  userId: Id,
  role: MemberRoleSchema.describe('Direct chats have two members; groups one owner'),
  lastReadSeq: z.number().int().min(0).describe('The seq up to which this member has read'),
});
export type ChatMember = z.infer<typeof ChatMemberSchema>;

export const ChatSchema = z.object({
  id: Id,
  kind: z.enum(['direct', 'group']),
  title: z.string().nullable().describe('Null for direct chats (show the other member)'),
  createdAt: isoDate,
  lastSeq: z.number().int().min(0).describe('Seq of the newest change of the timeline'),
  members: z.array(ChatMemberSchema).describe('In the order they joined'),
});
export type Chat = z.infer<typeof ChatSchema>;

export const ReactionSchema = z.object({
  emoji: z.string(),
  count: z.number().int().positive(),
  userIds: z.array(Id),
});
export type Reaction = z.infer<typeof ReactionSchema>;

export const MessageSchema = z.object({
  id: Id,
  chatId: Id,
  senderId: Id,
  text: z.string().describe('Empty once deleted (a tombstone)'),
  seq: z.number().int().positive().describe('The seq of the message.created event'),
  createdAt: isoDate,
  clientMessageId: z.string(),
  replyToId: Id.nullable(),
  editedAt: isoDate.nullable(),
  deletedAt: isoDate.nullable(),
  reactions: z.array(ReactionSchema).describe('One entry per emoji, in the order first used'),
});
export type Message = z.infer<typeof MessageSchema>;

/** A chat of `chat:list`: its members carry the names messenger knows them by. */
export const ChatSummarySchema = ChatSchema.extend({
  members: z.array(
    ChatMemberSchema.extend({
      nickname: z.string().nullable(),
      displayName: z.string().nullable(),
    }),
  ),
  lastMessage: MessageSchema.nullable(),
  unreadCount: z.number().int().min(0).describe("Others' messages after the caller's marker"),
});
export type ChatSummary = z.infer<typeof ChatSummarySchema>;

export const TIMELINE_EVENT_TYPES = [
  'message.created',
  'message.edited',
  'message.deleted',
  'reaction.added',
  'reaction.removed',
  'member.added',
  'member.removed',
  'member.left',
  'member.role_changed',
  'chat.renamed',
] as const;
export const TimelineEventTypeSchema = z.enum(TIMELINE_EVENT_TYPES);
export type TimelineEventType = z.infer<typeof TimelineEventTypeSchema>;

/**
 * One change of a chat's timeline. `seq` numbers every change of a chat 1, 2, 3… without
 * gaps; message events carry the message as it is now, reactions `messageId` and `emoji`,
 * membership `userId` (and `role`), renames `title`.
 */
export const TimelineEventSchema = z.object({
  seq: z.number().int().positive(),
  type: TimelineEventTypeSchema,
  actorId: Id,
  at: isoDate,
  message: MessageSchema.optional(),
  messageId: Id.optional(),
  emoji: z.string().optional(),
  userId: Id.optional(),
  role: MemberRoleSchema.optional(),
  title: z.string().optional(),
});
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;

export const PresenceSchema = z.object({
  userId: Id,
  online: z.boolean(),
  lastSeenAt: isoDate
    .nullable()
    .optional()
    .describe('Null for a user never seen; absent for users the caller may not see'),
});
export type Presence = z.infer<typeof PresenceSchema>;

// ---------------------------------------------------------------------------------------
// Client → server: payload and the body of a successful acknowledgement

const chatRef = { chatId: Id };
const messageRef = { chatId: Id, messageId: Id };
const empty = z.strictObject({});
/** The body of an acknowledgement that says nothing but `ok: true`. */
const emptyAck = z.object({});
const emoji = z.string().regex(EMOJI_PATTERN, 'emoji must be a single emoji');

/** Every event a client may send, with its payload schema and its success ack body. */
export const ClientEventSchemas = {
  'chat:create': {
    summary:
      'Create a chat: one other member makes a direct chat (a friend, no block either way; ' +
      'asking again returns it), more make a group whose members are friends of the creator.',
    payload: z.strictObject({
      memberIds: z.array(Id).min(1).max(MAX_MEMBERS_PER_CALL),
      title: z.string().max(CHAT_TITLE_MAX).optional(),
    }),
    ack: z.object({ chat: ChatSchema }),
  },
  'chat:get': {
    summary: 'One chat of the caller.',
    payload: z.strictObject(chatRef),
    ack: z.object({ chat: ChatSchema }),
  },
  'chat:list': {
    summary: "The caller's chats, most recently active first, with last message and unread count.",
    payload: empty,
    ack: z.object({ chats: z.array(ChatSummarySchema) }),
  },
  'chat:update': {
    summary: 'Rename a group (its owner or an admin); the timeline gets chat.renamed.',
    payload: z.strictObject({ ...chatRef, title: chatTitle }),
    ack: z.object({ chat: ChatSchema }),
  },
  'chat:members:add': {
    summary:
      'Add members to a group (owner or admin); each a friend of the actor, not blocking it.',
    payload: z.strictObject({ ...chatRef, userIds: z.array(Id).min(1).max(MAX_MEMBERS_PER_CALL) }),
    ack: z.object({ chat: ChatSchema }),
  },
  'chat:members:remove': {
    summary: 'Remove a member from a group (owner; admins remove members). Never the owner.',
    payload: z.strictObject({ ...chatRef, userId: Id }),
    ack: emptyAck,
  },
  'chat:members:role': {
    summary: "Make a member an admin or a plain member again (the group's owner only).",
    payload: z.strictObject({ ...chatRef, userId: Id, role: z.enum(['admin', 'member']) }),
    ack: emptyAck,
  },
  'chat:leave': {
    summary:
      'Leave a group; a leaving owner hands ownership to the longest-standing admin, else member.',
    payload: z.strictObject(chatRef),
    ack: emptyAck,
  },
  'message:send': {
    summary:
      'Send a message; the same clientMessageId twice is one message. In a direct chat only ' +
      'while the two are friends and neither blocks the other.',
    payload: z.strictObject({
      ...chatRef,
      clientMessageId: z.string().min(1).max(64).describe('Chosen by the client per message'),
      text: messageText,
      replyToId: Id.optional().describe('A message of the same chat'),
    }),
    ack: z.object({ message: MessageSchema }),
  },
  'message:edit': {
    summary: 'Change the text of an own message that is not deleted.',
    payload: z.strictObject({ ...messageRef, text: messageText }),
    ack: z.object({ message: MessageSchema }),
  },
  'message:delete': {
    summary: 'Delete a message (its author; in groups also the owner and admins): a tombstone.',
    payload: z.strictObject(messageRef),
    ack: emptyAck,
  },
  'message:get': {
    summary: 'One message as it is now.',
    payload: z.strictObject(messageRef),
    ack: z.object({ message: MessageSchema }),
  },
  'message:history': {
    summary: 'A page of messages older than `before`, newest first, as they are now.',
    payload: z.strictObject({
      ...chatRef,
      before: Id.optional().describe('The oldest message the client has'),
      limit: z.number().int().min(1).max(MAX_HISTORY_LIMIT).optional(),
    }),
    ack: z.object({ messages: z.array(MessageSchema) }),
  },
  'message:search': {
    summary: "Full-text search over the caller's chats, newest first.",
    payload: z.strictObject({
      query: z.string().trim().min(1).max(200),
      chatId: Id.optional(),
      before: Id.optional().describe('The last message of the previous page'),
      limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).optional(),
    }),
    ack: z.object({ messages: z.array(MessageSchema) }),
  },
  'reaction:add': {
    summary: 'React to a message (one reaction per user, message and emoji).',
    payload: z.strictObject({ ...messageRef, emoji }),
    ack: emptyAck,
  },
  'reaction:remove': {
    summary: 'Take back a reaction.',
    payload: z.strictObject({ ...messageRef, emoji }),
    ack: emptyAck,
  },
  'message:read': {
    summary: 'Move the read marker up to a message (never back).',
    payload: z.strictObject(messageRef),
    ack: emptyAck,
  },
  typing: {
    summary: 'Tell the other members the caller is typing (nothing is stored).',
    payload: z.strictObject(chatRef),
    ack: emptyAck,
  },
  'presence:get': {
    summary: 'Who is online (friends and co-members; anyone else reads as offline).',
    payload: z.strictObject({ userIds: z.array(Id).min(1).max(MAX_PRESENCE_USERS) }),
    ack: z.object({ users: z.array(PresenceSchema) }),
  },
  sync: {
    summary: 'What a reconnecting client missed: per chat, the timeline after afterSeq.',
    payload: z.strictObject({
      chats: z
        .array(z.strictObject({ chatId: Id, afterSeq: z.number().int().min(0) }))
        .min(1)
        .max(MAX_SYNC_CHATS),
      limit: z.number().int().min(1).max(MAX_SYNC_LIMIT).optional(),
    }),
    ack: z.object({
      chats: z.array(
        z.object({
          chatId: Id,
          events: z.array(TimelineEventSchema).describe('Oldest first'),
          hasMore: z.boolean().describe('Ask again from the last seq for more'),
        }),
      ),
    }),
  },
  'auth:refresh': {
    summary: "A fresh access token of the socket's user keeps the socket open past expiry.",
    payload: z.strictObject({ token: z.string().min(1).max(4096) }),
    ack: z.object({ expiresAt: isoDate }),
  },
} as const satisfies Record<string, { summary: string; payload: z.ZodType; ack: z.ZodObject }>;

export type ClientEventName = keyof typeof ClientEventSchemas;
/** The payload a client sends with `E`. */
export type ClientPayload<E extends ClientEventName> = z.input<
  (typeof ClientEventSchemas)[E]['payload']
>;
/** The payload as the server holds it after validation (defaults applied, text trimmed). */
export type ValidClientPayload<E extends ClientEventName> = z.output<
  (typeof ClientEventSchemas)[E]['payload']
>;
/** An object schema's type, or `{}` for one without fields (zod infers an index of never). */
type Body<T> = string extends keyof T ? object : T;
/** The body of a successful acknowledgement of `E`, beside `ok: true`. */
export type AckBody<E extends ClientEventName> = Body<
  z.infer<(typeof ClientEventSchemas)[E]['ack']>
>;

export const CLIENT_EVENT_NAMES = Object.keys(ClientEventSchemas) as ClientEventName[];

/** The error half of every acknowledgement: a stable code clients switch on. */
export const AckErrorSchema = z.object({
  code: z.string().describe('A stable DOMAIN.REASON code'),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type AckError = z.infer<typeof AckErrorSchema>;

/** Every client event is answered through its acknowledgement with one of these. */
export type Ack<E extends ClientEventName> =
  ({ ok: true } & AckBody<E>) | { ok: false; error: AckError };

// ---------------------------------------------------------------------------------------
// Server → client pushes

export const ServerEventSchemas = {
  'message:new': {
    summary: "A new message, to every member's sockets (the sender's other devices too).",
    payload: z.object({ message: MessageSchema }),
  },
  'message:updated': {
    summary: 'A message was edited or deleted, or its reactions changed.',
    payload: z.object({ seq: z.number().int().positive(), message: MessageSchema }),
  },
  'chat:created': {
    summary: 'A chat the user is a member of was created.',
    payload: z.object({ chat: ChatSchema }),
  },
  'chat:updated': {
    summary: 'Membership, roles or title changed; sent once to a member who was removed.',
    payload: z.object({
      seq: z.number().int().positive(),
      chat: ChatSchema,
      event: TimelineEventSchema,
    }),
  },
  'message:read': {
    summary: "A member's read marker moved (to the other members and the reader's devices).",
    payload: z.object({ chatId: Id, userId: Id, messageId: Id }),
  },
  typing: {
    summary: 'A member is typing (to the other members).',
    payload: z.object({ chatId: Id, userId: Id }),
  },
  presence: {
    summary: 'A friend came online or went offline.',
    payload: PresenceSchema,
  },
  'friend:request': {
    summary: 'Someone asked the user to be friends.',
    payload: z.object({ requestId: Id, fromUserId: Id }),
  },
  'friend:accepted': {
    summary: "The user's friend request was accepted by userId.",
    payload: z.object({ userId: Id }),
  },
  'auth:expired': {
    summary: "The socket's token expired or its session ended; the socket closes right after.",
    payload: z.object({ code: z.string(), message: z.string() }),
  },
} as const satisfies Record<string, { summary: string; payload: z.ZodType }>;

export type ServerEventName = keyof typeof ServerEventSchemas;
export type ServerPayload<E extends ServerEventName> = z.infer<
  (typeof ServerEventSchemas)[E]['payload']
>;

/** socket.io's typed-events map of what a client listens to. */
export type ServerToClientEvents = {
  [E in ServerEventName]: (payload: ServerPayload<E>) => void;
};

/** socket.io's typed-events map of what a client emits (always with an acknowledgement). */
export type ClientToServerEvents = {
  [E in ClientEventName]: (payload: ClientPayload<E>, ack: (answer: Ack<E>) => void) => void;
};
