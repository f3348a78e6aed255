/**
 * The typed client of messenger's socket.io API, for the web client, tests and tools:
 * every client event as a method answering its acknowledgement body (or throwing
 * {@link MessengerClientError} with the contract's `code`), typed push subscriptions,
 * ack timeouts, sends retried with the same `clientMessageId`, and `sync` after every
 * reconnect with each chat's missed events delivered once, in order.
 *
 * ```ts
 * const messenger = new MessengerClient({ url: 'http://127.0.0.1:3004', token: () => session.accessToken() });
 * await messenger.connect();
 * messenger.on('timeline', (update) => render(update));
 * const { chat } = await messenger.createChat({ memberIds: [friendId] });
 * const { message } = await messenger.send({ chatId: chat.id, text: 'hello' });
 * ```
 *
 * Browser-safe: only types come from `@app/contracts`.
 */
export {
  MessengerClient,
  type CallOptions,
  type ConnectionStatus,
  type MessengerClientEventName,
  type MessengerClientEvents,
  type MessengerClientOptions,
  type MessengerSocket,
  type SendInput,
  type SocketIoOptions,
} from './messenger-client';
export {
  ClientErrorCodes,
  MessengerClientError,
  isMessengerClientError,
  type ClientErrorCode,
} from './messenger-client.errors';
export { TimelineTracker, type Offered, type TimelineUpdate } from './timeline-tracker';
// For unit specs of code built on the client (no test-framework dependency; a bundler
// drops it from an app that does not import it).
export {
  FakeSocket,
  ok as okAck,
  refused as refusedAck,
  timedOut as timedOutAck,
} from './testing/fake-socket';
