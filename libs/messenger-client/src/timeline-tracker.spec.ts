import { describe, expect, it } from '@jest/globals';
import type { SocketApi } from '@app/contracts';
import { TimelineTracker, type TimelineUpdate } from './timeline-tracker';

const CHAT = '00000000-0000-4000-8000-0000000000c1';
const USER = '00000000-0000-4000-8000-000000000001';

const renamed = (seq: number): SocketApi.TimelineEvent => ({
  seq,
  type: 'chat.renamed',
  actorId: USER,
  at: '2026-01-01T00:00:00.000Z',
  title: `title ${seq}`,
});
const push = (seq: number): TimelineUpdate => ({
  chatId: CHAT,
  seq,
  source: 'sync',
  event: renamed(seq),
});

describe('TimelineTracker', () => {
  const setup = () => {
    const delivered: number[] = [];
    const tracker = new TimelineTracker((u) => delivered.push(u.seq));
    return { tracker, delivered };
  };

  it('starts an untracked chat at its first update and delivers the rest in order, once', () => {
    const { tracker, delivered } = setup();
    expect(tracker.offer(push(7))).toBe('delivered');
    expect(tracker.offer(push(9))).toBe('held');
    expect(tracker.offer(push(9))).toBe('duplicate');
    expect(tracker.hasGap(CHAT)).toBe(true);
    expect(tracker.offer(push(8))).toBe('delivered');
    expect(tracker.offer(push(7))).toBe('duplicate');
    expect(delivered).toEqual([7, 8, 9]);
    expect(tracker.watermark(CHAT)).toBe(9);
    expect(tracker.gaps()).toEqual([]);
  });

  it('lets sync answers advance the watermark, dropping held updates they cover', () => {
    const { tracker, delivered } = setup();
    tracker.track(CHAT, 2);
    tracker.track(CHAT, 10); // a tracked chat keeps its watermark
    tracker.offer(push(5));
    tracker.offer(push(7));
    // The server's record has no seq 4 (say, rolled back): it still moves past it.
    tracker.applySync(CHAT, [renamed(3), renamed(5), renamed(6)]);
    expect(delivered).toEqual([3, 5, 6, 7]);
    expect(tracker.watermark(CHAT)).toBe(7);
  });

  it('delivers what it held when a chat is forgotten, and then ignores its sync answers', () => {
    const { tracker, delivered } = setup();
    tracker.track(CHAT, 1);
    tracker.offer(push(4));
    tracker.offer(push(3));
    tracker.forget(CHAT);
    tracker.applySync(CHAT, [renamed(2)]);
    expect(delivered).toEqual([3, 4]);
    expect(tracker.chatIds()).toEqual([]);
  });
});
