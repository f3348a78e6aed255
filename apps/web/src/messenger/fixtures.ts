/** Factories for the messenger specs: one direct chat between the user and Bob. */
import type { Chat, ChatSummary, Message, TimelineEvent } from './state';

export const ME = '00000000-0000-4000-8000-000000000001';
export const BOB = '00000000-0000-4000-8000-000000000002';
export const CHAT = '00000000-0000-4000-8000-0000000000c1';

export const chat = (lastSeq = 0): Chat => ({
  id: CHAT,
  kind: 'direct',
  title: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastSeq,
  members: [
    { userId: ME, role: 'member', lastReadSeq: 0 },
    { userId: BOB, role: 'member', lastReadSeq: 0 },
  ],
});

export const summary = (lastSeq: number, unreadCount = 0): ChatSummary => ({
  ...chat(lastSeq),
  members: chat(lastSeq).members.map((m) => ({
    ...m,
    nickname: m.userId === ME ? 'me' : 'bob',
    displayName: null,
  })),
  lastMessage: null,
  unreadCount,
});

export const message = (seq: number, over: Partial<Message> = {}): Message => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  chatId: CHAT,
  senderId: BOB,
  text: `message ${seq}`,
  seq,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  clientMessageId: `c${seq}`,
  replyToId: null,
  editedAt: null,
  deletedAt: null,
  reactions: [],
  ...over,
});

export const created = (m: Message): TimelineEvent => ({
  seq: m.seq,
  type: 'message.created',
  actorId: m.senderId,
  at: m.createdAt,
  message: m,
});
