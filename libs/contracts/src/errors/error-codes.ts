/**
 * Stable error codes, `DOMAIN.REASON`. Clients may switch on them; messages may change,
 * codes may not. Each transport maps a code's {@link ErrorKind} to its own status.
 */
export const ErrorCodes = {
  // Shared
  VALIDATION_FAILED: 'COMMON.VALIDATION_FAILED',
  UNAUTHENTICATED: 'COMMON.UNAUTHENTICATED',
  FORBIDDEN: 'COMMON.FORBIDDEN',
  NOT_FOUND: 'COMMON.NOT_FOUND',
  RATE_LIMITED: 'COMMON.RATE_LIMITED',
  INTERNAL: 'COMMON.INTERNAL',
  UNAVAILABLE: 'COMMON.UNAVAILABLE',
  // auth
  AUTH_EMAIL_TAKEN: 'AUTH.EMAIL_TAKEN',
  AUTH_NICKNAME_TAKEN: 'AUTH.NICKNAME_TAKEN',
  AUTH_INVALID_CREDENTIALS: 'AUTH.INVALID_CREDENTIALS',
  AUTH_INVALID_TOKEN: 'AUTH.INVALID_TOKEN',
  /** The account is suspended by an administrator: no login, no refresh. */
  AUTH_ACCOUNT_SUSPENDED: 'AUTH.ACCOUNT_SUSPENDED',
  /** No account has that user id. */
  AUTH_ACCOUNT_NOT_FOUND: 'AUTH.ACCOUNT_NOT_FOUND',
  /** The caller has no live session of that id (another user's counts as none). */
  AUTH_SESSION_NOT_FOUND: 'AUTH.SESSION_NOT_FOUND',
  /** The action needs a login of the last few minutes (an account without password). */
  AUTH_RECENT_LOGIN_REQUIRED: 'AUTH.RECENT_LOGIN_REQUIRED',
  // profile
  PROFILE_NOT_FOUND: 'PROFILE.NOT_FOUND',
  PROFILE_NICKNAME_TAKEN: 'PROFILE.NICKNAME_TAKEN',
  // friends
  FRIENDS_USER_NOT_FOUND: 'FRIENDS.USER_NOT_FOUND',
  FRIENDS_SELF_REQUEST: 'FRIENDS.SELF_REQUEST',
  FRIENDS_ALREADY_FRIENDS: 'FRIENDS.ALREADY_FRIENDS',
  FRIENDS_ALREADY_PENDING: 'FRIENDS.ALREADY_PENDING',
  FRIENDS_REQUEST_NOT_FOUND: 'FRIENDS.REQUEST_NOT_FOUND',
  FRIENDS_NOT_ADDRESSEE: 'FRIENDS.NOT_ADDRESSEE',
  FRIENDS_REQUEST_NOT_PENDING: 'FRIENDS.REQUEST_NOT_PENDING',
  FRIENDS_NOT_FRIENDS: 'FRIENDS.NOT_FRIENDS',
  FRIENDS_BLOCKED: 'FRIENDS.BLOCKED',
  FRIENDS_ALREADY_BLOCKED: 'FRIENDS.ALREADY_BLOCKED',
  FRIENDS_NOT_BLOCKED: 'FRIENDS.NOT_BLOCKED',
  FRIENDS_SELF_BLOCK: 'FRIENDS.SELF_BLOCK',
  FRIENDS_CONCURRENT_UPDATE: 'FRIENDS.CONCURRENT_UPDATE',
  FRIENDS_IDEMPOTENCY_KEY_REUSED: 'FRIENDS.IDEMPOTENCY_KEY_REUSED',
  // messenger
  MESSENGER_CHAT_NOT_FOUND: 'MESSENGER.CHAT_NOT_FOUND',
  /** Also said for a chat that does not exist, so a chat id reveals nothing to outsiders. */
  MESSENGER_CHAT_NOT_MEMBER: 'CHAT.NOT_MEMBER',
  MESSENGER_NOT_FRIENDS: 'MESSENGER.NOT_FRIENDS',
  MESSENGER_INVALID_MEMBERS: 'MESSENGER.INVALID_MEMBERS',
  /** The caller is a member but its role (or authorship) does not allow the change. */
  MESSENGER_FORBIDDEN: 'MESSENGER.FORBIDDEN',
  /** The message id names no message of that chat. */
  MESSENGER_MESSAGE_NOT_FOUND: 'MESSENGER.MESSAGE_NOT_FOUND',
  /** The message is a tombstone: it can no longer be edited or reacted to. */
  MESSENGER_MESSAGE_DELETED: 'MESSENGER.MESSAGE_DELETED',
  /** A group-only change (rename, members, roles, leave) asked of a direct chat. */
  MESSENGER_NOT_A_GROUP: 'MESSENGER.NOT_A_GROUP',
  /** A socket event the server does not know, sent with an acknowledgement. */
  MESSENGER_UNKNOWN_EVENT: 'MESSENGER.UNKNOWN_EVENT',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/**
 * Transport-neutral error categories. Named after gRPC status codes because they are the
 * most precise common vocabulary; HTTP, GraphQL and socket.io map from them.
 */
export type ErrorKind =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'INTERNAL';
