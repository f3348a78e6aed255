import type { MessageView } from '../messages/message.view';
import type { ChatKind } from './entities/chat.entity';

/** A chat as clients see it. */
export interface ChatView {
  id: string;
  kind: ChatKind;
  /** Null for direct chats (clients show the other member's name). */
  title: string | null;
  memberIds: string[];
  /** ISO-8601. */
  createdAt: string;
}

/** A chat in the caller's chat list. */
export interface ChatSummaryView extends ChatView {
  lastMessage: MessageView | null;
  /** Messages after the caller's read position. */
  unreadCount: number;
}
