import type { Chat, ClientEventName, ClientPayload, Message, ServerEventName } from './schemas';

/** Example values of the socket API, shown in `docs/socket-asyncapi.yaml` and checked by a spec. */
const ANA = '5b0e7c1a-3f1d-4c59-9a57-2d8f0c6a1e01';
const BEN = '8d2c4f6e-1a3b-4c5d-8e9f-0a1b2c3d4e02';
const CHAT = 'c0ffee00-1234-4abc-8def-0123456789ab';
const MESSAGE = '9e3f1b2a-7c6d-4e5f-a1b2-c3d4e5f6a7b8';
const AT = '2026-12-03T10:15:00.000Z';

const message: Message = {
  id: MESSAGE,
  chatId: CHAT,
  senderId: ANA,
  text: 'See you at eight?',
  seq: 7,
  createdAt: AT,
  clientMessageId: 'web-1733220900000-1',
  replyToId: null,
  editedAt: null,
  deletedAt: null,
  reactions: [{ emoji: '👍', count: 1, userIds: [BEN] }],
};

const chat: Chat = {
  id: CHAT,
  kind: 'group',
  title: 'Climbing on Friday',
  createdAt: AT,
  lastSeq: 8,
  members: [
    { userId: ANA, role: 'owner', lastReadSeq: 8 },
    { userId: BEN, role: 'member', lastReadSeq: 7 },
  ],
};

export const ClientEventExamples: { [E in ClientEventName]: ClientPayload<E> } = {
  'chat:create': { memberIds: [BEN], title: 'Climbing on Friday' },
  'chat:get': { chatId: CHAT },
  'chat:list': {},
  'chat:update': { chatId: CHAT, title: 'Climbing on Saturday' },
  'chat:members:add': { chatId: CHAT, userIds: [BEN] },
  'chat:members:remove': { chatId: CHAT, userId: BEN },
  'chat:members:role': { chatId: CHAT, userId: BEN, role: 'admin' },
  'chat:leave': { chatId: CHAT },
  'message:send': {
    chatId: CHAT,
    clientMessageId: 'web-1733220900000-1',
    text: 'See you at eight?',
  },
  'message:edit': { chatId: CHAT, messageId: MESSAGE, text: 'See you at nine?' },
  'message:delete': { chatId: CHAT, messageId: MESSAGE },
  'message:get': { chatId: CHAT, messageId: MESSAGE },
  'message:history': { chatId: CHAT, before: MESSAGE, limit: 50 },
  'message:search': { query: 'eight', limit: 20 },
  'reaction:add': { chatId: CHAT, messageId: MESSAGE, emoji: '👍' },
  'reaction:remove': { chatId: CHAT, messageId: MESSAGE, emoji: '👍' },
  'message:read': { chatId: CHAT, messageId: MESSAGE },
  typing: { chatId: CHAT },
  'presence:get': { userIds: [BEN] },
  sync: { chats: [{ chatId: CHAT, afterSeq: 6 }], limit: 100 },
  'auth:refresh': { token: '<a fresh access token>' },
};

/** Example successful acknowledgements (the body beside `ok: true`). */
export const AckExamples: Partial<Record<ClientEventName, Record<string, unknown>>> = {
  'chat:create': { chat },
  'chat:get': { chat },
  'message:send': { message },
  'message:history': { messages: [message] },
  'presence:get': { users: [{ userId: BEN, online: false, lastSeenAt: AT }] },
  sync: {
    chats: [
      {
        chatId: CHAT,
        events: [
          { seq: 7, type: 'message.created', actorId: ANA, at: AT, message },
          { seq: 8, type: 'reaction.added', actorId: BEN, at: AT, messageId: MESSAGE, emoji: '👍' },
        ],
        hasMore: false,
      },
    ],
  },
};

export const ServerEventExamples: Record<ServerEventName, unknown> = {
  'message:new': { message },
  'message:updated': { seq: 8, message },
  'chat:created': { chat },
  'chat:updated': {
    seq: 9,
    chat: { ...chat, title: 'Climbing on Saturday', lastSeq: 9 },
    event: { seq: 9, type: 'chat.renamed', actorId: ANA, at: AT, title: 'Climbing on Saturday' },
  },
  'message:read': { chatId: CHAT, userId: BEN, messageId: MESSAGE },
  typing: { chatId: CHAT, userId: ANA },
  presence: { userId: BEN, online: true, lastSeenAt: AT },
  'friend:request': { requestId: 'f1e2d3c4-b5a6-4978-8a6b-5c4d3e2f1a00', fromUserId: BEN },
  'friend:accepted': { userId: BEN },
  'auth:expired': { code: 'COMMON.UNAUTHENTICATED', message: 'access token expired' },
};
