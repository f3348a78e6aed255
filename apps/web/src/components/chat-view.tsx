import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { describeError } from '../api/errors';
import { useDisplayName, useMessenger, useServices } from '../app-context';
import {
  orderedMessages,
  type ChatState,
  type Message,
  type PendingMessage,
} from '../messenger/state';
import { chatName } from './chat-list';
import { GroupSettings } from './group-settings';

/** The reactions offered on every message. */
const REACTIONS = ['👍', '❤️', '😂', '😮'];

/** One chat: its messages (paged history, live), the composer, and group settings. */
export function ChatView({ chatId }: { chatId: string }) {
  const state = useMessenger();
  const { connection } = useServices();
  const chat = state.chats[chatId]!;
  const [error, setError] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const online = state.connection === 'online';

  // The first page of history once connected; older pages on request.
  useEffect(() => {
    if (online && !chat.historyLoaded) {
      connection.loadHistory(chatId).catch((e: unknown) => setError(describeError(e)));
    }
  }, [online, chat.historyLoaded, chatId, connection]);

  // An open chat is read up to its newest message.
  const lastId = chat.lastMessage?.id;
  useEffect(() => {
    if (online && lastId) connection.markRead(chatId);
  }, [online, lastId, chatId, connection]);

  const run = (action: () => Promise<unknown>) => {
    setError(null);
    action().catch((e: unknown) => setError(describeError(e)));
  };

  const messages = orderedMessages(chat);
  const byId = new Map(messages.map((m) => [m.id, m]));
  const title = chatName(state, chat);
  const other =
    chat.chat.kind === 'direct' ? chat.chat.members.find((m) => m.userId !== state.me) : undefined;
  const presence = other ? state.presence[other.userId] : undefined;

  return (
    <section className="chat" aria-labelledby="chat-title">
      <header className="chat-header">
        <h2 id="chat-title">{title}</h2>
        {presence && (
          <span className="muted">
            {presence.online
              ? 'online'
              : presence.lastSeenAt
                ? `last seen ${new Date(presence.lastSeenAt).toLocaleString()}`
                : ''}
          </span>
        )}
        {chat.chat.kind === 'group' && <GroupSettings chat={chat} onError={setError} />}
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div role="log" aria-label="Messages" className="messages">
        {chat.historyLoaded && chat.hasOlder && (
          <button type="button" onClick={() => run(() => connection.loadHistory(chatId))}>
            Load older
          </button>
        )}
        {!chat.historyLoaded && <p className="muted">Loading…</p>}
        {messages.map((message) => (
          <MessageItem
            key={message.id}
            message={message}
            chat={chat}
            mine={message.senderId === state.me}
            me={state.me}
            repliedTo={message.replyToId ? byId.get(message.replyToId) : undefined}
            onReply={() => setReplyTo(message)}
            run={run}
          />
        ))}
        {chat.pending.map((pending) => (
          <PendingItem key={pending.clientMessageId} pending={pending} />
        ))}
      </div>
      <Typing chat={chat} />
      <Composer
        chatId={chatId}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        onSent={() => setReplyTo(null)}
      />
    </section>
  );
}

function MessageItem(props: {
  message: Message;
  chat: ChatState;
  mine: boolean;
  me: string;
  repliedTo?: Message;
  onReply: () => void;
  run: (action: () => Promise<unknown>) => void;
}) {
  const { message, mine, chat, run } = props;
  const { connection } = useServices();
  const author = useDisplayName(message.senderId);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(message.text);
  const deleted = message.deletedAt !== null;
  const ref = { chatId: message.chatId, messageId: message.id };
  const seenBy = chat.chat.members.filter(
    (m) => m.userId !== message.senderId && m.lastReadSeq >= message.seq,
  ).length;

  const saveEdit = (event: FormEvent) => {
    event.preventDefault();
    run(async () => {
      await connection.call('message:edit', { ...ref, text });
      setEditing(false);
    });
  };

  const toggle = (emoji: string) => {
    const reacted = message.reactions.some(
      (r) => r.emoji === emoji && r.userIds.includes(props.me),
    );
    run(() => connection.call(reacted ? 'reaction:remove' : 'reaction:add', { ...ref, emoji }));
  };

  return (
    <article className={mine ? 'message mine' : 'message'}>
      <header>
        <strong>{author}</strong>{' '}
        <time dateTime={message.createdAt}>{new Date(message.createdAt).toLocaleTimeString()}</time>
      </header>
      {props.repliedTo && (
        <blockquote className="reply-quote">
          {props.repliedTo.deletedAt ? 'Message deleted' : props.repliedTo.text}
        </blockquote>
      )}
      {deleted ? (
        <p className="muted">Message deleted</p>
      ) : editing ? (
        <form onSubmit={saveEdit} className="row">
          <input
            aria-label="Edit text"
            value={text}
            required
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit">Save</button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <p className="text">
          {message.text}
          {message.editedAt && <span className="muted"> (edited)</span>}
        </p>
      )}
      {message.reactions.length > 0 && (
        <ul className="reactions" aria-label="Reactions">
          {message.reactions.map((r) => (
            <li key={r.emoji}>
              {r.emoji} {r.count}
            </li>
          ))}
        </ul>
      )}
      {!deleted && (
        <div className="message-actions">
          {REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              aria-label={`React with ${emoji}`}
              aria-pressed={message.reactions.some(
                (r) => r.emoji === emoji && r.userIds.includes(props.me),
              )}
              onClick={() => toggle(emoji)}
            >
              {emoji}
            </button>
          ))}
          <button type="button" onClick={props.onReply}>
            Reply
          </button>
          {mine && !editing && (
            <>
              <button
                type="button"
                onClick={() => {
                  setText(message.text);
                  setEditing(true);
                }}
              >
                Edit
              </button>
              <button
                type="button"
                onClick={() => run(() => connection.call('message:delete', ref))}
              >
                Delete
              </button>
            </>
          )}
        </div>
      )}
      {mine && seenBy > 0 && (
        <p className="receipt muted">
          {chat.chat.kind === 'direct' ? 'Seen' : `Seen by ${seenBy}`}
        </p>
      )}
    </article>
  );
}

function PendingItem({ pending }: { pending: PendingMessage }) {
  const { connection } = useServices();
  return (
    <article className="message mine pending">
      <p className="text">{pending.text}</p>
      {pending.failed ? (
        <p className="error">
          Not sent: {pending.failed}{' '}
          <button
            type="button"
            onClick={() => connection.discard(pending.chatId, pending.clientMessageId)}
          >
            Dismiss
          </button>
        </p>
      ) : (
        <p className="muted">Sending…</p>
      )}
    </article>
  );
}

function Typing({ chat }: { chat: ChatState }) {
  const [now, setNow] = useState(() => Date.now());
  const typing = Object.entries(chat.typing).filter(([, until]) => until > now);
  // Re-render when the last indicator should disappear.
  useEffect(() => {
    const next = Math.min(...Object.values(chat.typing).filter((until) => until > Date.now()));
    if (!Number.isFinite(next)) return;
    const timer = setTimeout(() => setNow(Date.now()), next - Date.now() + 50);
    return () => clearTimeout(timer);
  }, [chat.typing, now]);
  return (
    <p className="typing muted" aria-live="polite">
      {typing.length > 0 && <TypingNames userIds={typing.map(([id]) => id)} />}
    </p>
  );
}

function TypingNames({ userIds }: { userIds: string[] }) {
  const people = useMessenger().people;
  const names = userIds.map((id) => people[id]?.displayName ?? people[id]?.nickname ?? 'Someone');
  return <>{`${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…`}</>;
}

function Composer(props: {
  chatId: string;
  replyTo: Message | null;
  onCancelReply: () => void;
  onSent: () => void;
}) {
  const { connection } = useServices();
  const [text, setText] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);

  const send = (event?: FormEvent) => {
    event?.preventDefault();
    if (!text.trim()) return;
    connection.send(props.chatId, text, props.replyTo?.id);
    setText('');
    props.onSent();
    input.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter starts a new line.
    if (event.key === 'Enter' && !event.shiftKey) send(event);
  };

  return (
    <form className="composer" onSubmit={send}>
      {props.replyTo && (
        <p className="replying">
          Replying to: {props.replyTo.text}{' '}
          <button type="button" onClick={props.onCancelReply}>
            Cancel reply
          </button>
        </p>
      )}
      <textarea
        ref={input}
        aria-label="Message"
        rows={2}
        maxLength={4000}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value) connection.typing(props.chatId);
        }}
        onKeyDown={onKeyDown}
      />
      <button type="submit" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}
