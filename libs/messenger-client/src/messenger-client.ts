import type { SocketApi } from '@app/contracts';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import {
  ClientErrorCodes,
  MessengerClientError,
  clientError,
  isMessengerClientError,
} from './messenger-client.errors';
import { TimelineTracker, type TimelineUpdate } from './timeline-tracker';

type ClientEvent = SocketApi.ClientEventName;
type ServerEvent = SocketApi.ServerEventName;
type Payload<E extends ClientEvent> = SocketApi.ClientPayload<E>;
type AckBody<E extends ClientEvent> = SocketApi.AckBody<E>;

/** socket.io's client socket, typed by the contract's event maps. */
export type MessengerSocket = Socket<
  SocketApi.ServerToClientEvents,
  SocketApi.ClientToServerEvents
>;

/** socket.io options the client passes through (headers, `forceNew`, reconnection delays…). */
export type SocketIoOptions = Partial<ManagerOptions & SocketOptions>;

/** Where the connection stands: `online` once the server accepted the handshake. */
export type ConnectionStatus = 'connecting' | 'online' | 'offline';

/** Per-call settings. */
export interface CallOptions {
  /** Overrides the client's `ackTimeoutMs` for this call. */
  timeoutMs?: number;
}

/** `message:send` with the `clientMessageId` chosen by the client unless given. */
export type SendInput = Omit<Payload<'message:send'>, 'clientMessageId'> & {
  clientMessageId?: string;
};

export interface MessengerClientOptions {
  /**
   * The access token, asked at every (re)connect so a refreshed token is presented; a
   * function that rejects connects without one (the server then refuses the handshake).
   */
  token: string | (() => string | Promise<string>);
  /** messenger's origin (`http://127.0.0.1:3004`); omitted in a browser: its own origin. */
  url?: string;
  /** The socket.io path (default `/socket.io/`). */
  path?: string;
  /** How long a call waits for its acknowledgement (default 8,000 ms). */
  ackTimeoutMs?: number;
  /** First pause before a send is tried again; doubles up to `maxResendDelayMs` (1,000 ms). */
  resendDelayMs?: number;
  /** Longest pause between two tries of a send (15,000 ms). */
  maxResendDelayMs?: number;
  /** Tries of one send before it fails with the last error (default: until it succeeds). */
  maxSendAttempts?: number;
  /** A push that skips seqs waits this long for the ones between before `sync` (250 ms). */
  gapGraceMs?: number;
  /** Events per chat in one `sync` answer (the server's default when omitted). */
  syncLimit?: number;
  /** Reconnect by itself after a dropped connection (socket.io's backoff; default true). */
  reconnection?: boolean;
  /** Further socket.io options; the transport is WebSocket only unless they say otherwise. */
  socketOptions?: SocketIoOptions;
  /** Makes `clientMessageId`s (default `crypto.randomUUID`). */
  newClientMessageId?: () => string;
  /** Builds the socket (tests pass a fake); socket.io's `io` by default. */
  createSocket?: (url: string | undefined, options: SocketIoOptions) => MessengerSocket;
}

/** What `on` can listen to: every server push of the contract and the client's own events. */
export type MessengerClientEvents = {
  [E in ServerEvent]: SocketApi.ServerPayload<E>;
} & {
  /** Every change of a tracked chat, once, in seq order (pushes, own sends, `sync`). */
  timeline: TimelineUpdate;
  /** The connection went online, offline or is being opened. */
  status: ConnectionStatus;
  /** After a (re)connect, every tracked chat was synced up to now. */
  synced: { chatIds: string[] };
  /** A connection attempt failed (`code` from the server's refusal where it gave one). */
  connect_error: MessengerClientError;
};
export type MessengerClientEventName = keyof MessengerClientEvents;

/** Every push of the contract: the compiler refuses this list when one is missing. */
const SERVER_EVENTS = Object.keys({
  'message:new': true,
  'message:updated': true,
  'chat:created': true,
  'chat:updated': true,
  'message:read': true,
  typing: true,
  presence: true,
  'friend:request': true,
  'friend:accepted': true,
  'auth:expired': true,
} satisfies Record<ServerEvent, true>) as ServerEvent[];

/** Contract limit of one `sync` call (SocketApi.MAX_SYNC_CHATS; a value, so not imported). */
const MAX_SYNC_CHATS = 50;
/** Codes after which a send is tried again: nothing was stored, or it is stored once. */
const RETRYABLE_SEND = new Set<string>([
  ClientErrorCodes.TIMEOUT,
  ClientErrorCodes.DISCONNECTED,
  ClientErrorCodes.OFFLINE,
  'COMMON.UNAVAILABLE',
  'COMMON.INTERNAL',
  'COMMON.RATE_LIMITED',
]);
/** `sync` refuses a whole call when one chat is no longer the caller's. */
const CHAT_GONE = new Set<string>(['CHAT.NOT_MEMBER', 'MESSENGER.CHAT_NOT_FOUND']);
const UNAUTHENTICATED = 'COMMON.UNAUTHENTICATED';

interface PendingSend {
  payload: Payload<'message:send'>;
  attempts: number;
  inFlight: boolean;
  timer?: ReturnType<typeof setTimeout>;
  resolve: (body: AckBody<'message:send'>) => void;
  reject: (error: MessengerClientError) => void;
}

type Listener<E extends MessengerClientEventName> = (payload: MessengerClientEvents[E]) => void;

/**
 * A typed client of messenger's socket.io API (ARCHITECTURE.md, "messenger"; the types
 * are `SocketApi` of `@app/contracts`). One method per client event, answering the
 * acknowledgement's body or throwing {@link MessengerClientError} with its `code`; typed
 * subscriptions to pushes. Beyond the wire it adds what every client needs and few get
 * right: ack timeouts, sends that are retried with the same `clientMessageId` until the
 * server has them (it stores one message per id), and after every reconnect a `sync`
 * from each chat's watermark whose events reach `timeline` listeners once and in order.
 *
 * Browser-safe: it imports only types from `@app/contracts` (no zod) and socket.io-client.
 */
export class MessengerClient {
  /** The underlying socket.io socket, for what the client does not wrap. */
  readonly socket: MessengerSocket;
  private readonly options: Required<
    Pick<
      MessengerClientOptions,
      'ackTimeoutMs' | 'resendDelayMs' | 'maxResendDelayMs' | 'maxSendAttempts' | 'gapGraceMs'
    >
  > &
    MessengerClientOptions;
  private readonly tracker: TimelineTracker;
  private readonly listeners = new Map<MessengerClientEventName, Set<(payload: never) => void>>();
  private readonly outbox = new Map<string, PendingSend>();
  private readonly syncQueue = new Set<string>();
  private syncRun: Promise<boolean> | undefined;
  private syncRetry: ReturnType<typeof setTimeout> | undefined;
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private currentStatus: ConnectionStatus = 'offline';

  constructor(options: MessengerClientOptions) {
    this.options = {
      ackTimeoutMs: 8_000,
      resendDelayMs: 1_000,
      maxResendDelayMs: 15_000,
      maxSendAttempts: Number.POSITIVE_INFINITY,
      gapGraceMs: 250,
      ...options,
    };
    for (const key of [
      'ackTimeoutMs',
      'resendDelayMs',
      'maxResendDelayMs',
      'gapGraceMs',
    ] as const) {
      const value = this.options[key];
      if (!Number.isFinite(value) || value < 0) throw new RangeError(`${key} must be ≥ 0 ms`);
    }
    if (!(this.options.maxSendAttempts >= 1)) throw new RangeError('maxSendAttempts must be ≥ 1');
    this.tracker = new TimelineTracker((update) => this.dispatch('timeline', update));
    const create = options.createSocket ?? ((url, opts) => io(url ?? '', opts));
    const { token } = options;
    this.socket = create(options.url, {
      path: options.path ?? '/socket.io/',
      // WebSocket only: long-polling needs sticky sessions across messenger instances.
      transports: ['websocket'],
      reconnection: options.reconnection ?? true,
      // Its own connection: socket.io would otherwise share one per URL between clients,
      // and a socket of the same namespace with it (one user's token for everybody).
      forceNew: true,
      ...options.socketOptions,
      autoConnect: false,
      // Asked at every (re)connect, so a reconnect presents the current token.
      auth: (cb) => {
        Promise.resolve()
          .then(() => (typeof token === 'function' ? token() : token))
          .then(
            (value) => cb({ token: value }),
            () => cb({}),
          );
      },
    });
    this.listen();
  }

  /** Where the connection stands. */
  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /**
   * Opens the connection (again, after {@link disconnect}); resolves once the server
   * accepted it, rejects with the refusal (`COMMON.UNAUTHENTICATED` …) when it will not.
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(clientError(ClientErrorCodes.CLOSED, 'Client closed'));
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const stop = () => {
        offConnect();
        offError();
      };
      const offConnect = this.on('status', (status) => {
        if (status !== 'online') return;
        stop();
        resolve();
      });
      const offError = this.on('connect_error', (error) => {
        // socket.io keeps trying after a network error; a refused handshake is final.
        if (this.willRetry()) return;
        stop();
        reject(error);
      });
      this.setStatus('connecting');
      this.socket.connect();
    });
  }

  /** Closes the connection but keeps tracked chats and pending sends for {@link connect}. */
  disconnect(): void {
    this.socket.disconnect();
  }

  /** Closes for good: pending sends fail with `CLIENT.CLOSED`, listeners are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.gapTimer);
    clearTimeout(this.syncRetry);
    for (const pending of this.outbox.values()) {
      clearTimeout(pending.timer);
      pending.reject(clientError(ClientErrorCodes.CLOSED, 'Client closed', 'message:send'));
    }
    this.outbox.clear();
    this.socket.disconnect();
    this.listeners.clear();
  }

  /** Listens to a server push or a client event; returns the function that stops it. */
  on<E extends MessengerClientEventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Like {@link on}, for the next occurrence only. */
  once<E extends MessengerClientEventName>(event: E, listener: Listener<E>): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  // ------------------------------------------------------------------------------------
  // Timeline tracking

  /**
   * Declares that the caller holds the chat up to `seq` (e.g. restored from storage), so
   * the next reconnect syncs it from there. Chats returned by calls or pushes are tracked
   * by themselves.
   */
  track(chatId: string, seq: number): void {
    this.tracker.track(chatId, seq);
  }

  /** Stops tracking a chat. */
  untrack(chatId: string): void {
    this.tracker.forget(chatId);
  }

  /** The seq up to which every event of the chat reached `timeline` listeners. */
  watermark(chatId: string): number | undefined {
    return this.tracker.watermark(chatId);
  }

  /** `sync`s every tracked chat from its watermark, until none has more. */
  async syncAll(): Promise<boolean> {
    return this.requestSync(this.tracker.chatIds());
  }

  // ------------------------------------------------------------------------------------
  // Calls

  /**
   * Any client event of the contract and its acknowledgement body. `message:send` through
   * here is sent once; {@link send} retries it.
   */
  async request<E extends ClientEvent>(
    event: E,
    payload: Payload<E>,
    options: CallOptions = {},
  ): Promise<AckBody<E>> {
    if (this.closed) throw clientError(ClientErrorCodes.CLOSED, 'Client closed', event);
    if (!this.socket.connected) {
      throw clientError(ClientErrorCodes.OFFLINE, `Not connected: ${event} not sent`, event);
    }
    // socket.io's typed emitWithAck cannot relate a generic event to its own payload type.
    const emitter = this.socket.timeout(
      options.timeoutMs ?? this.options.ackTimeoutMs,
    ) as unknown as {
      emitWithAck(event: string, payload: unknown): Promise<unknown>;
    };
    let answer: unknown;
    try {
      answer = await emitter.emitWithAck(event, payload);
    } catch {
      throw this.socket.connected
        ? clientError(ClientErrorCodes.TIMEOUT, `No acknowledgement of ${event} in time`, event)
        : clientError(
            ClientErrorCodes.DISCONNECTED,
            `Disconnected before ${event} was answered`,
            event,
          );
    }
    return unwrap<E>(event, answer);
  }

  /**
   * `message:send`, delivered once from the caller's point of view: a lost ack, a timeout,
   * a dropped connection or a transient server error sends it again with the same
   * `clientMessageId` (the server stores one message per id and answers the stored one),
   * now or after the next reconnect. Rejects on a final refusal (`MESSENGER.NOT_FRIENDS` …),
   * after `maxSendAttempts`, on {@link cancelSend} or {@link close}.
   */
  send(input: SendInput): Promise<AckBody<'message:send'>> {
    const payload: Payload<'message:send'> = {
      ...input,
      clientMessageId: input.clientMessageId ?? this.newClientMessageId(),
    };
    if (this.closed) {
      return Promise.reject(clientError(ClientErrorCodes.CLOSED, 'Client closed', 'message:send'));
    }
    const existing = this.outbox.get(payload.clientMessageId);
    if (existing) return new Promise((resolve, reject) => chain(existing, resolve, reject));
    return new Promise((resolve, reject) => {
      const pending: PendingSend = { payload, attempts: 0, inFlight: false, resolve, reject };
      this.outbox.set(payload.clientMessageId, pending);
      void this.deliver(pending);
    });
  }

  /** The `clientMessageId`s of sends not yet acknowledged. */
  pendingSends(): string[] {
    return [...this.outbox.keys()];
  }

  /** Gives up a pending send (it may still have reached the server); it rejects `CLIENT.CANCELLED`. */
  cancelSend(clientMessageId: string): void {
    const pending = this.outbox.get(clientMessageId);
    if (!pending) return;
    this.outbox.delete(clientMessageId);
    clearTimeout(pending.timer);
    pending.reject(clientError(ClientErrorCodes.CANCELLED, 'Send cancelled', 'message:send'));
  }

  /** `chat:create`: a direct chat (one other member) or a group. */
  async createChat(payload: Payload<'chat:create'>, options?: CallOptions) {
    return this.trackChat(await this.request('chat:create', payload, options));
  }

  /** `chat:get`: one chat of the caller. */
  async getChat(payload: Payload<'chat:get'>, options?: CallOptions) {
    return this.trackChat(await this.request('chat:get', payload, options));
  }

  /** `chat:list`: the caller's chats, each with its last message and unread count. */
  async listChats(options?: CallOptions): Promise<AckBody<'chat:list'>> {
    const answer = await this.request('chat:list', {}, options);
    for (const chat of answer.chats) this.tracker.track(chat.id, chat.lastSeq);
    return answer;
  }

  /** `chat:update`: renames a group. */
  async renameChat(payload: Payload<'chat:update'>, options?: CallOptions) {
    return this.trackChat(await this.request('chat:update', payload, options));
  }

  /** `chat:members:add`. */
  async addMembers(payload: Payload<'chat:members:add'>, options?: CallOptions) {
    return this.trackChat(await this.request('chat:members:add', payload, options));
  }

  /** `chat:members:remove`. */
  removeMember(payload: Payload<'chat:members:remove'>, options?: CallOptions) {
    return this.request('chat:members:remove', payload, options);
  }

  /** `chat:members:role`: makes a member an admin or a plain member. */
  setMemberRole(payload: Payload<'chat:members:role'>, options?: CallOptions) {
    return this.request('chat:members:role', payload, options);
  }

  /** `chat:leave`: leaves a group; the chat is no longer tracked. */
  async leaveChat(payload: Payload<'chat:leave'>, options?: CallOptions) {
    const answer = await this.request('chat:leave', payload, options);
    this.tracker.forget(payload.chatId);
    return answer;
  }

  /** `message:edit`. */
  editMessage(payload: Payload<'message:edit'>, options?: CallOptions) {
    return this.request('message:edit', payload, options);
  }

  /** `message:delete`: leaves a tombstone. */
  deleteMessage(payload: Payload<'message:delete'>, options?: CallOptions) {
    return this.request('message:delete', payload, options);
  }

  /** `message:get`. */
  getMessage(payload: Payload<'message:get'>, options?: CallOptions) {
    return this.request('message:get', payload, options);
  }

  /** `message:history`: a page older than `before`, newest first. */
  history(payload: Payload<'message:history'>, options?: CallOptions) {
    return this.request('message:history', payload, options);
  }

  /** `message:search`: full text over the caller's chats, newest first. */
  search(payload: Payload<'message:search'>, options?: CallOptions) {
    return this.request('message:search', payload, options);
  }

  /** `reaction:add`. */
  react(payload: Payload<'reaction:add'>, options?: CallOptions) {
    return this.request('reaction:add', payload, options);
  }

  /** `reaction:remove`. */
  unreact(payload: Payload<'reaction:remove'>, options?: CallOptions) {
    return this.request('reaction:remove', payload, options);
  }

  /** `message:read`: moves the caller's read marker up to a message. */
  markRead(payload: Payload<'message:read'>, options?: CallOptions) {
    return this.request('message:read', payload, options);
  }

  /** `typing`: tells the other members the caller is typing. */
  typing(payload: Payload<'typing'>, options?: CallOptions) {
    return this.request('typing', payload, options);
  }

  /** `presence:get`: who of `userIds` is online (friends and co-members). */
  presence(payload: Payload<'presence:get'>, options?: CallOptions) {
    return this.request('presence:get', payload, options);
  }

  /**
   * One raw `sync` call. Its events are returned, not delivered to `timeline` listeners:
   * the client syncs tracked chats by itself after reconnects and gaps.
   */
  sync(payload: Payload<'sync'>, options?: CallOptions) {
    return this.request('sync', payload, options);
  }

  /** `auth:refresh`: hands a fresh access token to the open socket. */
  refreshAuth(payload: Payload<'auth:refresh'>, options?: CallOptions) {
    return this.request('auth:refresh', payload, options);
  }

  // ------------------------------------------------------------------------------------
  // Internals

  private listen(): void {
    const socket = this.socket;
    socket.on('connect', () => {
      this.setStatus('online');
      void this.catchUp();
    });
    socket.on('disconnect', () => this.setStatus(this.willRetry() ? 'connecting' : 'offline'));
    socket.on('connect_error', (error: Error & { data?: { code?: unknown } }) => {
      const code = typeof error.data?.code === 'string' ? error.data.code : undefined;
      const failure = new MessengerClientError({
        code: code ?? ClientErrorCodes.CONNECT_FAILED,
        message: error.message,
      });
      this.setStatus(this.willRetry() ? 'connecting' : 'offline');
      this.dispatch('connect_error', failure);
      // A refused token ends the connection like an expiry does: the caller supplies a
      // fresh one and connects again.
      if (code === UNAUTHENTICATED) {
        this.dispatch('auth:expired', { code, message: error.message });
      }
    });
    for (const event of SERVER_EVENTS) {
      socket.on(event, ((payload: never) => this.onPush(event, payload)) as never);
    }
  }

  /**
   * Whether socket.io will try again by itself: the socket is still active (not closed by
   * the client, nor refused or closed by the server) and reconnection is on.
   */
  private willRetry(): boolean {
    return this.socket.active && this.socket.io?.opts.reconnection !== false;
  }

  private onPush<E extends ServerEvent>(event: E, payload: SocketApi.ServerPayload<E>): void {
    this.dispatch(event, payload as MessengerClientEvents[E]);
    switch (event) {
      case 'message:new': {
        const { message } = payload as SocketApi.ServerPayload<'message:new'>;
        this.offer({ chatId: message.chatId, seq: message.seq, source: 'message:new', message });
        break;
      }
      case 'message:updated': {
        const { seq, message } = payload as SocketApi.ServerPayload<'message:updated'>;
        this.offer({ chatId: message.chatId, seq, source: 'message:updated', message });
        break;
      }
      case 'chat:updated': {
        const update = payload as SocketApi.ServerPayload<'chat:updated'>;
        this.offer({ chatId: update.chat.id, source: 'chat:updated', ...update });
        break;
      }
      case 'chat:created': {
        const { chat } = payload as SocketApi.ServerPayload<'chat:created'>;
        this.tracker.track(chat.id, chat.lastSeq);
        break;
      }
      case 'message:read':
      case 'typing':
      case 'presence':
      case 'friend:request':
      case 'friend:accepted':
      case 'auth:expired':
        break; // not part of a chat's timeline
    }
  }

  private dispatch<E extends MessengerClientEventName>(
    event: E,
    payload: MessengerClientEvents[E],
  ): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as Listener<E>)(payload);
      } catch (error) {
        // A failing listener must not stop the others nor the client's own bookkeeping.
        setTimeout(() => {
          throw error;
        });
      }
    }
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.dispatch('status', status);
  }

  private trackChat<T extends { chat: SocketApi.Chat }>(answer: T): T {
    this.tracker.track(answer.chat.id, answer.chat.lastSeq);
    return answer;
  }

  private offer(update: TimelineUpdate): void {
    if (this.tracker.offer(update) !== 'held' || this.gapTimer) return;
    // A moment's grace: pushes of concurrent changes may simply arrive out of order.
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      const gaps = this.tracker.gaps();
      if (gaps.length > 0) void this.requestSync(gaps);
    }, this.options.gapGraceMs);
  }

  /** After every connect: what was missed, in order; then the sends still pending. */
  private async catchUp(): Promise<void> {
    const chatIds = this.tracker.chatIds();
    try {
      if (await this.requestSync(chatIds)) this.dispatch('synced', { chatIds });
    } finally {
      for (const pending of this.outbox.values()) void this.deliver(pending);
    }
  }

  /** Queues chats for `sync`; one run at a time works through the queue. */
  private requestSync(chatIds: string[]): Promise<boolean> {
    for (const id of chatIds) this.syncQueue.add(id);
    // A run in progress may be past its last look at the queue: the next one follows it.
    const run = (this.syncRun ?? Promise.resolve(true)).then(() => this.drainSyncQueue());
    this.syncRun = run;
    void run.finally(() => {
      if (this.syncRun === run) this.syncRun = undefined;
    });
    return run;
  }

  /** `sync` from each queued chat's watermark until no chat has more; false if cut short. */
  private async drainSyncQueue(): Promise<boolean> {
    while (this.syncQueue.size > 0) {
      const batch = [...this.syncQueue]
        .filter((id) => this.tracker.watermark(id) !== undefined)
        .slice(0, MAX_SYNC_CHATS);
      for (const id of this.syncQueue)
        if (this.tracker.watermark(id) === undefined) this.syncQueue.delete(id);
      if (batch.length === 0) return true;
      for (const id of batch) this.syncQueue.delete(id);
      try {
        await this.syncBatch(batch);
      } catch (error) {
        for (const id of batch) this.syncQueue.add(id);
        if (this.socket.connected && isMessengerClientError(error, ClientErrorCodes.DISCONNECTED)) {
          continue; // dropped and back already: this run goes on
        }
        if (this.socket.connected && !this.closed) {
          clearTimeout(this.syncRetry);
          this.syncRetry = setTimeout(() => void this.requestSync([]), this.options.resendDelayMs);
        }
        return false;
      }
    }
    return true;
  }

  private async syncBatch(chatIds: string[]): Promise<void> {
    const chats = chatIds.map((chatId) => ({ chatId, afterSeq: this.tracker.watermark(chatId)! }));
    const limit = this.options.syncLimit;
    let answer: AckBody<'sync'>;
    try {
      answer = await this.request('sync', { chats, ...(limit ? { limit } : {}) });
    } catch (error) {
      if (!isMessengerClientError(error) || !CHAT_GONE.has(error.code)) throw error;
      // One of them is no longer the caller's (removed, left, deleted): ask one by one and
      // stop tracking the ones refused.
      if (chatIds.length > 1) {
        for (const chatId of chatIds) await this.syncBatch([chatId]);
      } else {
        chatIds.forEach((chatId) => this.tracker.forget(chatId));
      }
      return;
    }
    for (const { chatId, events, hasMore } of answer.chats) {
      this.tracker.applySync(chatId, events);
      if (hasMore) this.syncQueue.add(chatId);
    }
  }

  /** One try of a pending send; a retryable failure schedules the next. */
  private async deliver(pending: PendingSend): Promise<void> {
    const id = pending.payload.clientMessageId;
    if (pending.inFlight || this.outbox.get(id) !== pending || !this.socket.connected) return;
    clearTimeout(pending.timer);
    pending.timer = undefined;
    pending.inFlight = true;
    pending.attempts += 1;
    try {
      const answer = await this.request('message:send', pending.payload);
      if (this.outbox.get(id) !== pending) return;
      this.outbox.delete(id);
      const { message } = answer;
      this.offer({ chatId: message.chatId, seq: message.seq, source: 'message:new', message });
      pending.resolve(answer);
    } catch (error) {
      if (this.outbox.get(id) !== pending) return;
      const failure = isMessengerClientError(error)
        ? error
        : clientError(ClientErrorCodes.BAD_ANSWER, String(error), 'message:send');
      if (!RETRYABLE_SEND.has(failure.code) || pending.attempts >= this.options.maxSendAttempts) {
        this.outbox.delete(id);
        pending.reject(failure);
        return;
      }
      // Offline or dropped: the next connect sends it. Otherwise after a growing pause.
      if (this.socket.connected) {
        const delay = Math.min(
          this.options.resendDelayMs * 2 ** (pending.attempts - 1),
          this.options.maxResendDelayMs,
        );
        pending.timer = setTimeout(() => void this.deliver(pending), delay);
      }
    } finally {
      pending.inFlight = false;
    }
  }

  private newClientMessageId(): string {
    return this.options.newClientMessageId?.() ?? globalThis.crypto.randomUUID();
  }
}

/** The body of a successful acknowledgement, or the error it carries thrown. */
function unwrap<E extends ClientEvent>(event: E, answer: unknown): AckBody<E> {
  if (typeof answer === 'object' && answer !== null && 'ok' in answer) {
    const { ok, ...body } = answer as { ok: unknown } & Record<string, unknown>;
    if (ok === true) return body as AckBody<E>;
    const error = (body as { error?: Partial<SocketApi.AckError> }).error;
    if (ok === false && typeof error?.code === 'string') {
      return throwError(
        new MessengerClientError(
          {
            code: error.code,
            message: typeof error.message === 'string' ? error.message : error.code,
            ...(Array.isArray(error.details) ? { details: error.details } : {}),
          },
          event,
        ),
      );
    }
  }
  return throwError(
    clientError(ClientErrorCodes.BAD_ANSWER, `Not an acknowledgement of ${event}`, event),
  );
}

function throwError(error: MessengerClientError): never {
  throw error;
}

/** Joins a second `send` of the same clientMessageId to the first one's outcome. */
function chain(
  pending: PendingSend,
  resolve: (body: AckBody<'message:send'>) => void,
  reject: (error: MessengerClientError) => void,
): void {
  const { resolve: first, reject: firstReject } = pending;
  pending.resolve = (body) => {
    first(body);
    resolve(body);
  };
  pending.reject = (error) => {
    firstReject(error);
    reject(error);
  };
}
