import type { SocketApi } from '@app/contracts';

/**
 * The client's picture of messenger as pure, immutable updates. Every change of a chat
 * carries its `seq` (gapless per chat), and each piece of state remembers the seq it
 * reflects, so an event applied twice — a push that repeats what `sync` returned, an ack
 * racing its own push — changes nothing, and one applied late never overwrites a newer
 * state. Gaps in the seqs seen tell the connection what to `sync`.
 */
export type Message = SocketApi.Message;
export type Chat = SocketApi.Chat;
export type ChatSummary = SocketApi.ChatSummary;
export type TimelineEvent = SocketApi.TimelineEvent;

export interface StoredMessage {
  message: Message;
  /** The seq of the newest event applied to this message. */
  version: number;
}

/** A message sent but not yet acknowledged (resent with the same clientMessageId). */
export interface PendingMessage {
  clientMessageId: string;
  chatId: string;
  text: string;
  replyToId?: string;
  /** Set when the server refused it for good (the reason, for the person). */
  failed?: string;
}

export interface ChatState {
  chat: Chat;
  lastMessage: Message | null;
  unreadCount: number;
  /** `unreadCount` came from the server up to this seq; only later messages add to it. */
  countedSeq: number;
  /** Every event up to this seq has been applied (or was covered by a snapshot). */
  syncedSeq: number;
  /** Seqs above `syncedSeq` applied already (arrived out of order). */
  ahead: number[];
  /** The seq of the newest chat snapshot applied (title, members). */
  chatVersion: number;
  messages: Record<string, StoredMessage>;
  /** Whether the first history page was fetched, and whether older pages remain. */
  historyLoaded: boolean;
  hasOlder: boolean;
  pending: PendingMessage[];
  /** userId → epoch ms until which they show as typing. */
  typing: Record<string, number>;
}

export interface Person {
  nickname: string;
  displayName: string | null;
  /** From profile; undefined until profile was asked (`chat:list` brings names only). */
  avatarUrl?: string | null;
}

export interface MessengerState {
  me: string;
  connection: 'connecting' | 'online' | 'offline';
  chats: Record<string, ChatState>;
  people: Record<string, Person>;
  presence: Record<string, SocketApi.Presence>;
}

export const initialState = (me: string): MessengerState => ({
  me,
  connection: 'connecting',
  chats: {},
  people: {},
  presence: {},
});

const newChat = (chat: Chat, syncedSeq: number): ChatState => ({
  chat,
  lastMessage: null,
  unreadCount: 0,
  countedSeq: chat.lastSeq,
  syncedSeq,
  ahead: [],
  chatVersion: chat.lastSeq,
  messages: {},
  historyLoaded: false,
  hasOlder: true,
  pending: [],
  typing: {},
});

function withChat(
  state: MessengerState,
  chatId: string,
  update: (chat: ChatState) => ChatState,
): MessengerState {
  const current = state.chats[chatId];
  if (!current) return state;
  const next = update(current);
  return next === current ? state : { ...state, chats: { ...state.chats, [chatId]: next } };
}

/** Records that the event `seq` was applied, advancing the contiguous watermark. */
export function markSeen(chat: ChatState, seq: number): ChatState {
  if (seq <= chat.syncedSeq || chat.ahead.includes(seq)) return chat;
  if (seq !== chat.syncedSeq + 1) return { ...chat, ahead: [...chat.ahead, seq] };
  let synced = seq;
  const ahead = new Set(chat.ahead);
  while (ahead.delete(synced + 1)) synced += 1;
  return { ...chat, syncedSeq: synced, ahead: [...ahead] };
}

/** Whether seqs are missing below the newest one seen: the chat needs a `sync`. */
export const hasGap = (chat: ChatState): boolean => chat.ahead.length > 0;

/** `chat:list`: new chats join, known ones take the new summary; gone ones are dropped. */
export function applyChatList(state: MessengerState, summaries: ChatSummary[]): MessengerState {
  const chats: Record<string, ChatState> = {};
  const people = { ...state.people };
  for (const summary of summaries) {
    const { lastMessage, unreadCount, members, ...chat } = summary;
    for (const member of members) {
      if (member.nickname) {
        people[member.userId] = {
          ...people[member.userId],
          nickname: member.nickname,
          displayName: member.displayName,
        };
      }
    }
    const plain: Chat = {
      ...chat,
      members: members.map(({ userId, role, lastReadSeq }) => ({ userId, role, lastReadSeq })),
    };
    const known = state.chats[chat.id];
    // A known chat keeps its watermark: whatever lies beyond it is replayed by `sync`.
    const base = known ?? newChat(plain, chat.lastSeq);
    chats[chat.id] = {
      ...base,
      chat: known && known.chatVersion > chat.lastSeq ? known.chat : plain,
      chatVersion: Math.max(base.chatVersion, chat.lastSeq),
      lastMessage: newer(base.lastMessage, lastMessage),
      unreadCount,
      countedSeq: chat.lastSeq,
    };
  }
  return { ...state, chats, people };
}

/** A chat pushed or returned whole (`chat:created`, `chat:get`, `chat:updated`). */
export function applyChat(state: MessengerState, chat: Chat, seq = chat.lastSeq): MessengerState {
  if (!chat.members.some((m) => m.userId === state.me)) return removeChat(state, chat.id);
  const known = state.chats[chat.id];
  if (!known) {
    return { ...state, chats: { ...state.chats, [chat.id]: newChat(chat, chat.lastSeq) } };
  }
  if (seq < known.chatVersion) return state;
  return withChat(state, chat.id, (c) => markSeen({ ...c, chat, chatVersion: seq }, seq));
}

export function removeChat(state: MessengerState, chatId: string): MessengerState {
  if (!state.chats[chatId]) return state;
  const chats = { ...state.chats };
  delete chats[chatId];
  return { ...state, chats };
}

const newer = (a: Message | null, b: Message | null): Message | null =>
  !a ? b : !b ? a : b.seq > a.seq || (b.id === a.id && b !== a) ? b : a;

/**
 * A message as of event `version` (its own seq for `message:new`, the event's seq for
 * `message:updated` and `sync`). Counts as unread when it is new and someone else's.
 */
export function applyMessage(
  state: MessengerState,
  message: Message,
  version: number,
): MessengerState {
  return withChat(state, message.chatId, (chat) => {
    const stored = chat.messages[message.id];
    const seen = version <= chat.syncedSeq || chat.ahead.includes(version);
    if (stored && stored.version >= version) return markSeen(chat, version);
    const isNew = !stored && !seen && version === message.seq && message.seq > chat.countedSeq;
    const mine = message.senderId === state.me;
    const lastMessage =
      !chat.lastMessage || chat.lastMessage.id === message.id || message.seq > chat.lastMessage.seq
        ? message
        : chat.lastMessage;
    return markSeen(
      {
        ...chat,
        // New messages are kept whether or not the chat was opened (a page of history
        // fetched meanwhile may predate them); a change to a message older than the pages
        // held waits until that page is fetched, as it is then.
        messages:
          stored || version === message.seq
            ? { ...chat.messages, [message.id]: { message, version } }
            : chat.messages,
        lastMessage,
        unreadCount: chat.unreadCount + (isNew && !mine ? 1 : 0),
        pending: mine
          ? chat.pending.filter((p) => p.clientMessageId !== message.clientMessageId)
          : chat.pending,
        typing: omit(chat.typing, message.senderId),
      },
      version,
    );
  });
}

/** One event of `sync`, oldest first. */
export function applyTimelineEvent(
  state: MessengerState,
  chatId: string,
  event: TimelineEvent,
): MessengerState {
  const chat = state.chats[chatId];
  if (!chat || event.seq <= chat.syncedSeq || chat.ahead.includes(event.seq)) return state;
  if (event.message) return applyMessage(state, event.message, event.seq);
  const next = withChat(state, chatId, (c) => {
    const changed = applyChange(c, event);
    const lastSeq = Math.max(changed.chat.lastSeq, event.seq);
    return markSeen({ ...changed, chat: { ...changed.chat, lastSeq } }, event.seq);
  });
  const stillMember = next.chats[chatId]?.chat.members.some((m) => m.userId === state.me);
  return stillMember ? next : removeChat(next, chatId);
}

function applyChange(chat: ChatState, event: TimelineEvent): ChatState {
  const { members } = chat.chat;
  const userId = event.userId;
  const withMembers = (next: Chat['members']) => ({
    ...chat,
    chat: { ...chat.chat, members: next },
  });
  switch (event.type) {
    case 'reaction.added':
    case 'reaction.removed':
      return applyReaction(chat, event);
    case 'member.added':
      return !userId || members.some((m) => m.userId === userId)
        ? chat
        : withMembers([...members, { userId, role: event.role ?? 'member', lastReadSeq: 0 }]);
    case 'member.removed':
    case 'member.left':
      return withMembers(members.filter((m) => m.userId !== userId));
    case 'member.role_changed':
      return withMembers(
        members.map((m) => (m.userId === userId && event.role ? { ...m, role: event.role } : m)),
      );
    case 'chat.renamed':
      return { ...chat, chat: { ...chat.chat, title: event.title ?? chat.chat.title } };
    case 'message.created':
    case 'message.edited':
    case 'message.deleted':
      // They carry `message` (applied by the caller); nothing else to change.
      return chat;
  }
}

/** A reaction event of `sync`, which names the message and emoji but not the new counts. */
function applyReaction(chat: ChatState, event: TimelineEvent): ChatState {
  const stored = event.messageId ? chat.messages[event.messageId] : undefined;
  const { emoji, actorId } = event;
  if (!stored || !emoji || stored.version >= event.seq) return chat;
  const others = stored.message.reactions.find((r) => r.emoji === emoji)?.userIds ?? [];
  const userIds =
    event.type === 'reaction.added'
      ? [...others.filter((id) => id !== actorId), actorId]
      : others.filter((id) => id !== actorId);
  const reactions = stored.message.reactions.some((r) => r.emoji === emoji)
    ? stored.message.reactions.map((r) =>
        r.emoji === emoji ? { emoji, count: userIds.length, userIds } : r,
      )
    : [...stored.message.reactions, { emoji, count: userIds.length, userIds }];
  const message = { ...stored.message, reactions: reactions.filter((r) => r.count > 0) };
  return { ...chat, messages: { ...chat.messages, [message.id]: { message, version: event.seq } } };
}

/** A page of `message:history` (newest first), older than what the chat holds. */
export function applyHistory(
  state: MessengerState,
  chatId: string,
  page: Message[],
  pageSize: number,
): MessengerState {
  return withChat(state, chatId, (chat) => {
    const messages = { ...chat.messages };
    for (const message of page) {
      // History shows each message as it is now; a version at least its seq keeps any
      // newer event already applied.
      if (!messages[message.id]) messages[message.id] = { message, version: message.seq };
    }
    return { ...chat, messages, historyLoaded: true, hasOlder: page.length >= pageSize };
  });
}

/** A member's read marker moved up to `messageId`. */
export function applyRead(
  state: MessengerState,
  read: { chatId: string; userId: string; messageId: string },
): MessengerState {
  return withChat(state, read.chatId, (chat) => {
    const seq =
      chat.messages[read.messageId]?.message.seq ??
      (chat.lastMessage?.id === read.messageId ? chat.lastMessage.seq : undefined);
    const members =
      seq === undefined
        ? chat.chat.members
        : chat.chat.members.map((m) =>
            m.userId === read.userId && m.lastReadSeq < seq ? { ...m, lastReadSeq: seq } : m,
          );
    const caughtUp =
      read.userId === state.me && seq !== undefined && seq >= (chat.lastMessage?.seq ?? 0);
    return {
      ...chat,
      chat: { ...chat.chat, members },
      unreadCount: caughtUp ? 0 : chat.unreadCount,
    };
  });
}

/** How long a `typing` push shows its member as typing. */
export const TYPING_SHOWN_MS = 5_000;

export function applyTyping(
  state: MessengerState,
  typing: { chatId: string; userId: string },
  now = Date.now(),
): MessengerState {
  if (typing.userId === state.me) return state;
  return withChat(state, typing.chatId, (chat) => ({
    ...chat,
    typing: { ...chat.typing, [typing.userId]: now + TYPING_SHOWN_MS },
  }));
}

export function applyPresence(
  state: MessengerState,
  presence: SocketApi.Presence[],
): MessengerState {
  const next = { ...state.presence };
  for (const p of presence) next[p.userId] = p;
  return { ...state, presence: next };
}

export function addPending(state: MessengerState, pending: PendingMessage): MessengerState {
  return withChat(state, pending.chatId, (chat) => ({
    ...chat,
    pending: [...chat.pending, pending],
  }));
}

export function failPending(
  state: MessengerState,
  chatId: string,
  clientMessageId: string,
  reason: string,
): MessengerState {
  return withChat(state, chatId, (chat) => ({
    ...chat,
    pending: chat.pending.map((p) =>
      p.clientMessageId === clientMessageId ? { ...p, failed: reason } : p,
    ),
  }));
}

export function dropPending(
  state: MessengerState,
  chatId: string,
  clientMessageId: string,
): MessengerState {
  return withChat(state, chatId, (chat) => ({
    ...chat,
    pending: chat.pending.filter((p) => p.clientMessageId !== clientMessageId),
  }));
}

/** The chat was opened and read up to its newest message. */
export function markChatRead(state: MessengerState, chatId: string): MessengerState {
  return withChat(state, chatId, (chat) =>
    chat.unreadCount === 0 ? chat : { ...chat, unreadCount: 0 },
  );
}

export function addPeople(state: MessengerState, people: Record<string, Person>): MessengerState {
  return { ...state, people: { ...state.people, ...people } };
}

/** A chat's messages in timeline order. */
export const orderedMessages = (chat: ChatState): Message[] =>
  Object.values(chat.messages)
    .map((m) => m.message)
    .sort((a, b) => a.seq - b.seq);

/** Chats, most recently active first. */
export const orderedChats = (state: MessengerState): ChatState[] =>
  Object.values(state.chats).sort((a, b) => activity(b) - activity(a));

const activity = (chat: ChatState): number =>
  Date.parse(chat.lastMessage?.createdAt ?? chat.chat.createdAt);

function omit<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}
