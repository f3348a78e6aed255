import { describe, expect, it } from '@jest/globals';
import {
  applyChat,
  applyChatList,
  applyHistory,
  applyMessage,
  applyRead,
  applyTimelineEvent,
  addPending,
  hasGap,
  initialState,
  orderedMessages,
  type MessengerState,
  type TimelineEvent,
} from './state';
import { BOB, CHAT, ME, chat, created, message, summary } from './fixtures';

const withChat = (lastSeq = 0): MessengerState =>
  applyChatList(initialState(ME), [summary(lastSeq)]);

const texts = (state: MessengerState) => orderedMessages(state.chats[CHAT]!).map((m) => m.text);

describe('messenger state', () => {
  it('counts a pushed message once, however often it arrives', () => {
    let state = withChat();
    for (let i = 0; i < 3; i += 1) state = applyMessage(state, message(1), 1);
    expect(state.chats[CHAT]!.unreadCount).toBe(1);
    expect(texts(state)).toEqual(['message 1']);
    expect(state.chats[CHAT]!.syncedSeq).toBe(1);
  });

  it('replays sync after a push without doubling, and fills the gap the push revealed', () => {
    let state = withChat(1);
    // Offline for seqs 2 and 3; the first push after the reconnect is seq 4.
    state = applyMessage(state, message(4), 4);
    expect(hasGap(state.chats[CHAT]!)).toBe(true);
    for (const seq of [2, 3, 4]) state = applyTimelineEvent(state, CHAT, created(message(seq)));
    expect(texts(state)).toEqual(['message 2', 'message 3', 'message 4']);
    expect(state.chats[CHAT]!.syncedSeq).toBe(4);
    expect(hasGap(state.chats[CHAT]!)).toBe(false);
    expect(state.chats[CHAT]!.unreadCount).toBe(3);
  });

  it('never lets an older version of a message overwrite a newer one', () => {
    let state = applyHistory(withChat(1), CHAT, [message(1)], 50);
    const edited = message(1, { text: 'edited', editedAt: '2026-01-01T00:01:00.000Z' });
    const deleted = message(1, { text: '', deletedAt: '2026-01-01T00:02:00.000Z' });
    state = applyMessage(state, deleted, 3);
    state = applyMessage(state, edited, 2);
    expect(state.chats[CHAT]!.messages[message(1).id]!.message.deletedAt).not.toBeNull();
    expect(state.chats[CHAT]!.syncedSeq).toBe(3);
  });

  it('keeps a pushed message that a concurrent history page predates', () => {
    let state = withChat(1);
    state = applyMessage(state, message(2), 2);
    state = applyHistory(state, CHAT, [message(1)], 50);
    expect(texts(state)).toEqual(['message 1', 'message 2']);
    expect(state.chats[CHAT]!.hasOlder).toBe(false);
  });

  it('replaces a pending message with the stored one by clientMessageId', () => {
    let state = addPending(withChat(), { clientMessageId: 'mine-1', chatId: CHAT, text: 'hi' });
    state = applyMessage(state, message(1, { senderId: ME, clientMessageId: 'mine-1' }), 1);
    expect(state.chats[CHAT]!.pending).toEqual([]);
    expect(state.chats[CHAT]!.unreadCount).toBe(0);
  });

  it('applies reactions and membership changes from sync once', () => {
    let state = applyHistory(withChat(1), CHAT, [message(1)], 50);
    const reaction: TimelineEvent = {
      seq: 2,
      type: 'reaction.added',
      actorId: ME,
      at: '2026-01-01T00:00:02.000Z',
      messageId: message(1).id,
      emoji: '👍',
    };
    state = applyTimelineEvent(state, CHAT, reaction);
    state = applyTimelineEvent(state, CHAT, reaction);
    expect(state.chats[CHAT]!.messages[message(1).id]!.message.reactions).toEqual([
      { emoji: '👍', count: 1, userIds: [ME] },
    ]);
    state = applyTimelineEvent(state, CHAT, {
      seq: 3,
      type: 'member.removed',
      actorId: BOB,
      at: '2026-01-01T00:00:03.000Z',
      userId: ME,
    });
    expect(state.chats[CHAT]).toBeUndefined();
  });

  it('drops a chat whose pushed snapshot no longer lists the user', () => {
    const state = applyChat(withChat(1), { ...chat(2), members: [chat().members[1]!] }, 2);
    expect(state.chats[CHAT]).toBeUndefined();
  });

  it("moves read markers, and clears the unread count on the user's own read", () => {
    let state = applyHistory(withChat(), CHAT, [], 50);
    state = applyMessage(state, message(1), 1);
    state = applyRead(state, { chatId: CHAT, userId: ME, messageId: message(1).id });
    expect(state.chats[CHAT]!.unreadCount).toBe(0);
    expect(state.chats[CHAT]!.chat.members.find((m) => m.userId === ME)!.lastReadSeq).toBe(1);
  });
});
