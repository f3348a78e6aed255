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
  /**
   * Every member with the name to show (`displayName`, else `nickname`), from messenger's
   * replica of profiles; both null for a user it has not heard of yet.
   */
  members: Array<{ userId: string; nickname: string | null; displayName: string | null }>;
  lastMessage: MessageView | null;
  /** Messages after the caller's read position. */
  unreadCount: number;
}
