import { useEffect, useId } from 'react';
import { useMessenger, useServices } from '../app-context';
import { orderedChats, type ChatState, type MessengerState } from '../messenger/state';
import { Avatar } from './avatar';

/** A direct chat is named by the other member's nickname, a group by its title. */
export function chatName(state: MessengerState, chat: ChatState): string {
  if (chat.chat.kind === 'group') return chat.chat.title ?? 'Group';
  const other = chat.chat.members.find((m) => m.userId !== state.me);
  return (other && state.people[other.userId]?.nickname) ?? 'Unknown user';
}

/** The avatar of a direct chat is the other member's; a group has none (its initial shows). */
function chatAvatarUrl(state: MessengerState, chat: ChatState): string | null | undefined {
  if (chat.chat.kind === 'group') return null;
  const other = chat.chat.members.find((m) => m.userId !== state.me);
  return other && state.people[other.userId]?.avatarUrl;
}

/** The chats, most recent first, with unread counts and last messages. */
export function ChatList({
  current,
  onOpen,
}: {
  current: string | null;
  onOpen: (chatId: string) => void;
}) {
  const state = useMessenger();
  const { directory } = useServices();
  const chats = orderedChats(state);

  useEffect(() => {
    // Chats pushed while running (chat:created) carry ids only.
    void directory.ensure(chats.flatMap((c) => c.chat.members.map((m) => m.userId)));
  }, [chats, directory]);

  return (
    <nav aria-label="Chats" className="chats">
      <h2>Chats</h2>
      {chats.length === 0 && <p className="muted">No chats yet.</p>}
      <ul className="list">
        {chats.map((chat) => (
          <ChatItem
            key={chat.chat.id}
            name={chatName(state, chat)}
            avatarUrl={chatAvatarUrl(state, chat)}
            chat={chat}
            me={state.me}
            current={chat.chat.id === current}
            onOpen={() => onOpen(chat.chat.id)}
          />
        ))}
      </ul>
    </nav>
  );
}

function ChatItem(props: {
  name: string;
  avatarUrl: string | null | undefined;
  chat: ChatState;
  me: string;
  current: boolean;
  onOpen: () => void;
}) {
  const { chat, name } = props;
  const detailsId = useId();
  const last = chat.lastMessage;
  const preview = !last
    ? 'No messages yet'
    : last.deletedAt
      ? 'Message deleted'
      : `${last.senderId === props.me ? 'You: ' : ''}${last.text}`;
  return (
    <li className={props.current ? 'current' : undefined}>
      {/* The accessible name is the chat's name alone; unread count and preview describe it. */}
      <button
        type="button"
        className="chat-button"
        aria-label={name}
        aria-describedby={detailsId}
        aria-current={props.current ? 'page' : undefined}
        onClick={props.onOpen}
      >
        <Avatar name={name} url={props.avatarUrl} />
        <span className="chat-name">{name}</span>
        <span id={detailsId} className="chat-details">
          {chat.unreadCount > 0 && <span className="badge">{chat.unreadCount} unread</span>}
          <span className="preview">{preview}</span>
        </span>
      </button>
    </li>
  );
}
