import type { MessageEntity } from './entities/message.entity';

/** A message as clients see it (acks, `message:new`, history). */
export interface MessageView {
  id: string;
  chatId: string;
  senderId: string;
  text: string;
  /** Position in the chat: 1, 2, 3… without gaps, so a client can tell what it missed. */
  seq: number;
  /** ISO-8601. */
  createdAt: string;
  /** The sender's idempotency key of the message. */
  clientMessageId: string;
}

export const toMessageView = (message: MessageEntity): MessageView => ({
  id: message.id,
  chatId: message.chatId,
  senderId: message.senderId,
  text: message.text,
  seq: message.seq,
  createdAt: message.createdAt.toISOString(),
  clientMessageId: message.clientMessageId,
});
