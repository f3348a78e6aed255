import type { SocketApi } from '@app/contracts';
import { io, type Socket } from 'socket.io-client';
import { ApiError } from '../api/errors';
import {
  addPending,
  applyChat,
  applyChatList,
  applyHistory,
  applyMessage,
  applyPresence,
  applyRead,
  applyTimelineEvent,
  applyTyping,
  dropPending,
  failPending,
  hasGap,
  markChatRead,
  removeChat,
  type PendingMessage,
} from './state';
import type { MessengerStore } from './store';

type ClientEvent = SocketApi.ClientEventName;
type MessengerSocket = Socket<SocketApi.ServerToClientEvents, SocketApi.ClientToServerEvents>;

/** How long an acknowledgement may take before the call counts as lost. */
export const ACK_TIMEOUT_MS = 8_000;
/** A send whose ack was lost is tried again after this (same clientMessageId). */
const RESEND_DELAY_MS = 2_000;
/** Limits of the socket API (libs/contracts SocketApi: MAX_SYNC_CHATS, DEFAULT_HISTORY_LIMIT). */
const SYNC_CHATS_PER_CALL = 50;
export const HISTORY_PAGE = 50;
/** At most one `typing` per chat this often while the person types. */
const TYPING_EVERY_MS = 3_000;

/** What the connection needs of the signed-in session. */
export interface SessionPort {
  accessToken(): Promise<string>;
  refresh(): Promise<string>;
  end(notice?: string): void;
  onAccessToken(listener: (token: string) => void): () => void;
}

/** Ack errors after which a send is final (anything else is retried). */
const RETRYABLE = new Set([
  'CLIENT.TIMEOUT',
  'CLIENT.OFFLINE',
  'COMMON.UNAVAILABLE',
  'COMMON.INTERNAL',
]);

/**
 * The one socket.io connection to messenger (through the gateway's `/socket.io/`): typed
 * calls with an ack timeout, an outbox that resends unacknowledged messages with the same
 * clientMessageId (stored once by the server), and after every (re)connect a fresh
 * `chat:list` plus `sync` from each chat's last contiguous seq, so a reconnect loses and
 * doubles nothing. Pushes and answers go into the {@link MessengerStore}.
 */
export class MessengerConnection {
  private readonly socket: MessengerSocket;
  private readonly outbox = new Map<string, PendingMessage>();
  private readonly lastTyping = new Map<string, number>();
  private syncing = false;
  private syncAgain = false;
  private stopped = false;
  private unsubscribe: () => void = () => undefined;
  private readonly friendListeners = new Set<() => void>();

  constructor(
    private readonly store: MessengerStore,
    private readonly session: SessionPort,
    createSocket: (options: Parameters<typeof io>[1]) => MessengerSocket = (options) => io(options),
  ) {
    this.socket = createSocket({
      path: '/socket.io/',
      // WebSocket only: long-polling needs sticky sessions across messenger instances.
      transports: ['websocket'],
      autoConnect: false,
      // Asked at every (re)connect, so a reconnect presents the current token.
      auth: (cb) => {
        this.session.accessToken().then(
          (token) => cb({ token }),
          () => cb({}),
        );
      },
    });
    this.listen();
  }

  start(): void {
    this.stopped = false;
    // A refreshed token keeps the open socket past the old token's expiry.
    this.unsubscribe = this.session.onAccessToken((token) => {
      if (this.socket.connected) void this.call('auth:refresh', { token }).catch(() => undefined);
    });
    this.socket.connect();
  }

  /**
   * Called when friendships or requests may have changed: a `friend:request` or
   * `friend:accepted` push, or a reconnect (pushes missed while offline are not replayed).
   */
  onFriendsChanged(listener: () => void): () => void {
    this.friendListeners.add(listener);
    return () => this.friendListeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    this.socket.disconnect();
  }

  /** A client event and its ack; refused at once while offline, failed after the timeout. */
  async call<E extends ClientEvent>(
    event: E,
    payload: SocketApi.ClientPayload<E>,
  ): Promise<SocketApi.AckBody<E>> {
    if (!this.socket.connected) throw new ApiError('CLIENT.OFFLINE', 'Not connected');
    // socket.io's typed emitWithAck cannot relate a generic event to its own payload type.
    const emitter = this.socket.timeout(ACK_TIMEOUT_MS) as unknown as {
      emitWithAck(event: string, payload: unknown): Promise<SocketApi.Ack<E>>;
    };
    let answer: SocketApi.Ack<E>;
    try {
      answer = await emitter.emitWithAck(event, payload);
    } catch {
      throw new ApiError('CLIENT.TIMEOUT', `No answer to ${event}`);
    }
    if (!answer.ok) throw new ApiError(answer.error.code, answer.error.message);
    return answer;
  }

  /** Queues a message: shown at once as pending, sent now or after the next reconnect. */
  send(chatId: string, text: string, replyToId?: string): void {
    const pending: PendingMessage = {
      clientMessageId: crypto.randomUUID(),
      chatId,
      text,
      ...(replyToId ? { replyToId } : {}),
    };
    this.outbox.set(pending.clientMessageId, pending);
    // Members stop showing the sender as typing once the message arrives; typing again
    // right after must tell them again.
    this.lastTyping.delete(chatId);
    this.store.update((s) => addPending(s, pending));
    void this.deliver(pending);
  }

  /** Gives up on a pending message (one the server refused). */
  discard(chatId: string, clientMessageId: string): void {
    this.outbox.delete(clientMessageId);
    this.store.update((s) => dropPending(s, chatId, clientMessageId));
  }

  async loadHistory(chatId: string): Promise<void> {
    const chat = this.store.getState().chats[chatId];
    if (!chat) return;
    const oldest = chat.historyLoaded
      ? Object.values(chat.messages).reduce<SocketApi.Message | undefined>(
          (min, { message }) => (!min || message.seq < min.seq ? message : min),
          undefined,
        )
      : undefined;
    const { messages } = await this.call('message:history', {
      chatId,
      limit: HISTORY_PAGE,
      ...(oldest ? { before: oldest.id } : {}),
    });
    this.store.update((s) => applyHistory(s, chatId, messages, HISTORY_PAGE));
  }

  /** Moves the read marker to the chat's newest message (once it is someone else's). */
  markRead(chatId: string): void {
    const chat = this.store.getState().chats[chatId];
    const last = chat?.lastMessage;
    if (!chat || !last) return;
    const me = this.store.getState().me;
    const mine = chat.chat.members.find((m) => m.userId === me);
    if (chat.unreadCount === 0 && (mine?.lastReadSeq ?? 0) >= last.seq) return;
    this.store.update((s) => markChatRead(s, chatId));
    void this.call('message:read', { chatId, messageId: last.id }).catch(() => undefined);
  }

  /** Tells the other members that the person is typing (throttled). */
  typing(chatId: string): void {
    const now = Date.now();
    if (now - (this.lastTyping.get(chatId) ?? 0) < TYPING_EVERY_MS) return;
    this.lastTyping.set(chatId, now);
    void this.call('typing', { chatId }).catch(() => undefined);
  }

  /** Asks who of `userIds` is online (friends and co-members only are shown). */
  async refreshPresence(userIds: string[]): Promise<void> {
    const ids = [...new Set(userIds)].slice(0, 200);
    if (ids.length === 0) return;
    const { users } = await this.call('presence:get', { userIds: ids });
    this.store.update((s) => applyPresence(s, users));
  }

  /** Applies a chat returned by a call (create, rename, add members). */
  acceptChat(chat: SocketApi.Chat): void {
    this.store.update((s) => applyChat(s, chat));
  }

  private listen(): void {
    const socket = this.socket;
    socket.on('connect', () => {
      this.store.update((s) => ({ ...s, connection: 'online' }));
      void this.catchUp();
      this.friendsChanged();
    });
    socket.on('disconnect', (reason) => {
      this.store.update((s) => ({ ...s, connection: 'offline' }));
      // The server closed this socket (its token expired): reconnect with a fresh one.
      if (reason === 'io server disconnect' && !this.stopped) void this.reauthenticate();
    });
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      this.store.update((s) => ({ ...s, connection: 'offline' }));
      // A refused handshake is not retried by socket.io; transport errors are.
      if (error.data?.code === 'COMMON.UNAUTHENTICATED') void this.reauthenticate();
      else if (!socket.active) setTimeout(() => !this.stopped && socket.connect(), 2_000);
    });
    socket.on('auth:expired', () => {
      // Handled by the disconnect that follows; nothing is lost meanwhile (sync catches up).
    });
    socket.on('message:new', ({ message }) => {
      if (!this.store.getState().chats[message.chatId]) void this.catchUp();
      this.store.update((s) => applyMessage(s, message, message.seq));
      this.repairGaps(message.chatId);
    });
    socket.on('message:updated', ({ seq, message }) => {
      this.store.update((s) => applyMessage(s, message, seq));
      this.repairGaps(message.chatId);
    });
    socket.on('chat:created', ({ chat }) => this.store.update((s) => applyChat(s, chat)));
    socket.on('chat:updated', ({ seq, chat }) => {
      this.store.update((s) => applyChat(s, chat, seq));
      this.repairGaps(chat.id);
    });
    socket.on('message:read', (read) => this.store.update((s) => applyRead(s, read)));
    socket.on('typing', (typing) => this.store.update((s) => applyTyping(s, typing)));
    socket.on('presence', (presence) => this.store.update((s) => applyPresence(s, [presence])));
    socket.on('friend:request', () => this.friendsChanged());
    socket.on('friend:accepted', () => this.friendsChanged());
  }

  private friendsChanged(): void {
    for (const listener of this.friendListeners) listener();
  }

  /** The server refused the token: refresh (which ends the session if refused too), reconnect. */
  private async reauthenticate(): Promise<void> {
    try {
      await this.session.refresh();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CLIENT.SESSION_ENDED') return;
      if (error instanceof ApiError && error.status === 401) return;
      // Auth unreachable: try again after a pause, the session still stands.
      setTimeout(() => !this.stopped && void this.reauthenticate(), 3_000);
      return;
    }
    if (!this.stopped && !this.socket.connected) this.socket.connect();
  }

  /** After a connect: the chat list, every event missed since, then the outbox. */
  private async catchUp(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    try {
      do {
        this.syncAgain = false;
        const { chats } = await this.call('chat:list', {});
        this.store.update((s) => applyChatList(s, chats));
        await this.syncChats(
          Object.values(this.store.getState().chats)
            .filter((c) => c.chat.lastSeq > c.syncedSeq || hasGap(c))
            .map((c) => c.chat.id),
        );
      } while (this.syncAgain);
      for (const pending of this.outbox.values()) void this.deliver(pending);
    } catch {
      // Offline again or no answer: the next connect starts over.
    } finally {
      this.syncing = false;
    }
  }

  private gapTimer: ReturnType<typeof setTimeout> | undefined;

  /** A push skipped seqs (a lost packet, another instance's order): fetch what is missing. */
  private repairGaps(chatId: string): void {
    const chat = this.store.getState().chats[chatId];
    if (!chat || !hasGap(chat) || this.gapTimer) return;
    // A moment's grace: pushes of concurrent changes may simply arrive out of order.
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      const gaps = Object.values(this.store.getState().chats).filter(hasGap);
      void this.syncChats(gaps.map((c) => c.chat.id)).catch(() => undefined);
    }, 300);
  }

  /** `sync` from each chat's watermark until no chat has more. */
  private async syncChats(chatIds: string[]): Promise<void> {
    let todo = chatIds;
    while (todo.length > 0) {
      const batch = todo.slice(0, SYNC_CHATS_PER_CALL);
      todo = todo.slice(SYNC_CHATS_PER_CALL);
      const state = this.store.getState();
      const chats = batch
        .filter((id) => state.chats[id])
        .map((chatId) => ({ chatId, afterSeq: state.chats[chatId]!.syncedSeq }));
      if (chats.length === 0) continue;
      const answer = await this.call('sync', { chats });
      for (const { chatId, events, hasMore } of answer.chats) {
        this.store.update((s) => events.reduce((acc, e) => applyTimelineEvent(acc, chatId, e), s));
        if (hasMore) todo.push(chatId);
      }
    }
  }

  /** Sends one queued message; a lost ack is retried with the same clientMessageId. */
  private async deliver(pending: PendingMessage): Promise<void> {
    if (!this.socket.connected || !this.outbox.has(pending.clientMessageId)) return;
    try {
      const { message } = await this.call('message:send', {
        chatId: pending.chatId,
        clientMessageId: pending.clientMessageId,
        text: pending.text,
        ...(pending.replyToId ? { replyToId: pending.replyToId } : {}),
      });
      this.outbox.delete(pending.clientMessageId);
      this.store.update((s) => applyMessage(s, message, message.seq));
    } catch (error) {
      const code = error instanceof ApiError ? error.code : 'CLIENT.TIMEOUT';
      if (!RETRYABLE.has(code) && code !== 'COMMON.RATE_LIMITED') {
        this.outbox.delete(pending.clientMessageId);
        const reason = error instanceof Error ? error.message : 'Not sent';
        this.store.update((s) => failPending(s, pending.chatId, pending.clientMessageId, reason));
        return;
      }
      // Offline: the next connect flushes the outbox. Otherwise try again shortly.
      if (code !== 'CLIENT.OFFLINE') {
        setTimeout(() => void this.deliver(pending), RESEND_DELAY_MS);
      }
    }
  }

  /** Leaves or loses a chat locally (after chat:leave). */
  forgetChat(chatId: string): void {
    this.store.update((s) => removeChat(s, chatId));
  }
}
