import type { SocketApi } from '@app/contracts';
import {
  ClientErrorCodes,
  MessengerClient,
  type MessengerClientOptions,
  isMessengerClientError,
  type TimelineUpdate,
} from '@app/messenger-client';
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
  markChatRead,
  removeChat,
  type MessengerState,
  type PendingMessage,
} from './state';
import type { MessengerStore } from './store';

type ClientEvent = SocketApi.ClientEventName;

/** How long an acknowledgement may take before the call counts as lost. */
export const ACK_TIMEOUT_MS = 8_000;
/** A send whose ack was lost is tried again after this (same clientMessageId). */
const RESEND_DELAY_MS = 2_000;
/** A page of history (libs/contracts SocketApi: DEFAULT_HISTORY_LIMIT). */
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

/** The SDK's error as the UI's: a dropped call reads as being offline. */
function toApiError(error: unknown): unknown {
  if (!isMessengerClientError(error)) return error;
  const code = error.code === ClientErrorCodes.DISCONNECTED ? ClientErrorCodes.OFFLINE : error.code;
  return new ApiError(code, error.message);
}

/**
 * The one connection to messenger (through the gateway's `/socket.io/`), over the typed
 * socket client `@app/messenger-client`: it times out calls, resends unacknowledged
 * messages with the same clientMessageId (stored once by the server) and, after every
 * reconnect, syncs each chat from its watermark and hands the missed events over once and
 * in order. This class adds what the UI needs: the pending-message outbox shown as
 * "Sending…", a fresh `chat:list` after each connect (chats created while away), token
 * refresh on expiry, and the pushes and answers written into the {@link MessengerStore}.
 */
export class MessengerConnection {
  private readonly client: MessengerClient;
  private readonly lastTyping = new Map<string, number>();
  private stopped = false;
  private reauthenticating = false;
  private unsubscribe: () => void = () => undefined;
  private readonly friendListeners = new Set<() => void>();

  constructor(
    private readonly store: MessengerStore,
    private readonly session: SessionPort,
    createSocket?: MessengerClientOptions['createSocket'],
  ) {
    this.client = new MessengerClient({
      // Asked at every (re)connect, so a reconnect presents the current token.
      token: () => this.session.accessToken(),
      ackTimeoutMs: ACK_TIMEOUT_MS,
      resendDelayMs: RESEND_DELAY_MS,
      ...(createSocket ? { createSocket } : {}),
    });
    this.listen();
  }

  start(): void {
    this.stopped = false;
    // A refreshed token keeps the open socket past the old token's expiry.
    this.unsubscribe = this.session.onAccessToken((token) => {
      if (this.client.connected) void this.client.refreshAuth({ token }).catch(() => undefined);
    });
    this.open();
  }

  /**
   * Called when friendships or requests may have changed: a `friend:request` or
   * `friend:accepted` push, or a reconnect (pushes missed while offline are not replayed).
   */
  onFriendsChanged(listener: () => void): () => void {
    this.friendListeners.add(listener);
    return () => this.friendListeners.delete(listener);
  }

  /** Disconnects; `start` connects again (React runs effects twice in development). */
  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    this.client.disconnect();
  }

  /** A client event and its ack; refused at once while offline, failed after the timeout. */
  async call<E extends ClientEvent>(
    event: E,
    payload: SocketApi.ClientPayload<E>,
  ): Promise<SocketApi.AckBody<E>> {
    try {
      return await this.client.request(event, payload);
    } catch (error) {
      throw toApiError(error);
    }
  }

  /** Queues a message: shown at once as pending, sent now or after the next reconnect. */
  send(chatId: string, text: string, replyToId?: string): void {
    const pending: PendingMessage = {
      clientMessageId: crypto.randomUUID(),
      chatId,
      text,
      ...(replyToId ? { replyToId } : {}),
    };
    // Members stop showing the sender as typing once the message arrives; typing again
    // right after must tell them again.
    this.lastTyping.delete(chatId);
    this.store.update((s) => addPending(s, pending));
    // The client retries until the server has it; what ends here is final.
    this.client
      .send({
        chatId,
        text,
        clientMessageId: pending.clientMessageId,
        ...(replyToId ? { replyToId } : {}),
      })
      .then(
        ({ message }) => this.store.update((s) => applyMessage(s, message, message.seq)),
        (error: unknown) => {
          if (isMessengerClientError(error, ClientErrorCodes.CANCELLED)) return;
          if (isMessengerClientError(error, ClientErrorCodes.CLOSED)) return;
          const reason = error instanceof Error ? error.message : 'Not sent';
          this.store.update((s) => failPending(s, chatId, pending.clientMessageId, reason));
        },
      );
  }

  /** Gives up on a pending message (one the server refused, or one still waiting). */
  discard(chatId: string, clientMessageId: string): void {
    this.client.cancelSend(clientMessageId);
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
    this.client.track(chat.id, chat.lastSeq);
    this.store.update((s) => applyChat(s, chat));
  }

  /** Leaves or loses a chat locally (after chat:leave). */
  forgetChat(chatId: string): void {
    this.client.untrack(chatId);
    this.store.update((s) => removeChat(s, chatId));
  }

  private open(): void {
    this.client.connect().catch(() => {
      // Refused handshakes are handled by the connect_error listener below.
    });
  }

  private listen(): void {
    const client = this.client;
    client.on('status', (status) => {
      const connection: MessengerState['connection'] =
        status === 'online'
          ? 'online'
          : status === 'offline' || this.store.getState().connection === 'online'
            ? 'offline'
            : 'connecting';
      this.store.update((s) => (s.connection === connection ? s : { ...s, connection }));
      if (status === 'online') {
        void this.refreshChats();
        this.friendsChanged();
      }
    });
    client.socket.on('disconnect', (reason) => {
      // The server closed this socket (its token expired): reconnect with a fresh one.
      if (reason === 'io server disconnect' && !this.stopped) void this.reauthenticate();
    });
    client.on('connect_error', (error) => {
      // A refused token is not retried by socket.io; transport errors are.
      if (error.code === 'COMMON.UNAUTHENTICATED') void this.reauthenticate();
      else if (!client.socket.active) setTimeout(() => !this.stopped && this.open(), 2_000);
    });
    client.on('timeline', (update) => this.applyUpdate(update));
    client.on('chat:created', ({ chat }) => this.store.update((s) => applyChat(s, chat)));
    client.on('message:read', (read) => this.store.update((s) => applyRead(s, read)));
    client.on('typing', (typing) => this.store.update((s) => applyTyping(s, typing)));
    client.on('presence', (presence) => this.store.update((s) => applyPresence(s, [presence])));
    client.on('friend:request', () => this.friendsChanged());
    client.on('friend:accepted', () => this.friendsChanged());
  }

  /** One change of a chat, delivered by the client once and in seq order. */
  private applyUpdate(update: TimelineUpdate): void {
    switch (update.source) {
      case 'message:new':
        // A chat this client has not listed yet (created while away): list again.
        if (!this.store.getState().chats[update.chatId]) void this.refreshChats();
        this.store.update((s) => applyMessage(s, update.message, update.seq));
        break;
      case 'message:updated':
        this.store.update((s) => applyMessage(s, update.message, update.seq));
        break;
      case 'chat:updated':
        this.store.update((s) => applyChat(s, update.chat, update.seq));
        break;
      case 'sync':
        this.store.update((s) => applyTimelineEvent(s, update.chatId, update.event));
        break;
    }
  }

  private friendsChanged(): void {
    for (const listener of this.friendListeners) listener();
  }

  /** The server refused the token: refresh (which ends the session if refused too), reconnect. */
  private async reauthenticate(): Promise<void> {
    if (this.reauthenticating) return;
    this.reauthenticating = true;
    try {
      await this.session.refresh();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CLIENT.SESSION_ENDED') return;
      if (error instanceof ApiError && error.status === 401) return;
      // Auth unreachable: try again after a pause, the session still stands.
      setTimeout(() => !this.stopped && void this.reauthenticate(), 3_000);
      return;
    } finally {
      this.reauthenticating = false;
    }
    if (!this.stopped && !this.client.connected) this.open();
  }

  /** The chat list after a connect: chats created while away, fresh unread counts. */
  private async refreshChats(): Promise<void> {
    try {
      const { chats } = await this.client.listChats();
      this.store.update((s) => applyChatList(s, chats));
    } catch {
      // Offline again or no answer: the next connect asks again.
    }
  }
}
