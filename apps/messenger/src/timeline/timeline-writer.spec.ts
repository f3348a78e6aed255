import type { ModuleRef } from '@nestjs/core';
import type {
  FlushEntry,
  TimelineFlushRepository,
  TimelineWrite,
  WriteResult,
} from './timeline-flush.repository';
import { MIN_OVERLAPPING_FLUSH, TimelineWriter } from './timeline-writer';

const CHAT = 'c0000000-0000-4000-8000-000000000001';
const CHAT_2 = 'c0000000-0000-4000-8000-000000000002';
const USER = '11111111-1111-4111-8111-111111111111';

const edit = (text: string, chatId = CHAT): TimelineWrite => ({
  kind: 'edit',
  chatId,
  actorId: USER,
  messageId: '22222222-2222-4222-8222-222222222222',
  text,
});

const unchanged = (): WriteResult => ({
  outcome: 'unchanged',
  seq: null,
  message: null,
  memberIds: [],
});

/**
 * A flush repository whose calls the test settles by hand: each call records its batch
 * (by text) and waits until released.
 */
function controlledFlushes(fail: (texts: string[]) => boolean = () => false) {
  const batches: string[][] = [];
  const eventIds: string[] = [];
  const releases: Array<() => void> = [];
  const repository = {
    flush: jest.fn(async (entries: readonly FlushEntry[]) => {
      const texts = entries.map((e) => (e.kind === 'edit' ? e.text : e.kind));
      batches.push(texts);
      eventIds.push(...entries.map((e) => e.eventId));
      await new Promise<void>((resolve) => releases.push(resolve));
      if (fail(texts)) throw new Error(`flush of ${texts.join(',')} failed`);
      return entries.map(unchanged);
    }),
  };
  const modules = {
    get: () => {
      throw new Error('no relay here');
    },
  };
  const writer = new TimelineWriter(
    repository as unknown as TimelineFlushRepository,
    modules as unknown as ModuleRef,
  );
  writer.onApplicationBootstrap();
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const releaseNext = async () => {
    while (releases.length === 0) await turn();
    releases.shift()?.();
    await turn();
  };
  return { writer, batches, eventIds, releaseNext, turn };
}

describe('TimelineWriter', () => {
  it('flushes at once when idle, and takes everything that queued meanwhile in one flush', async () => {
    const { writer, batches, releaseNext, turn } = controlledFlushes();
    const first = writer.write(edit('a'));
    await turn();
    expect(batches).toEqual([['a']]);

    // While that flush is in flight, writes accumulate…
    const queued = ['b', 'c', 'd'].map((t) => writer.write(edit(t)));
    await turn();
    expect(batches).toHaveLength(1);

    // …and the next flush takes them all the moment the first returns.
    await releaseNext();
    await expect(first).resolves.toMatchObject({ outcome: 'unchanged' });
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
    await releaseNext();
    await expect(Promise.all(queued)).resolves.toHaveLength(3);
  });

  it('overlaps a second flush once enough writes of other chats queued, never two on one chat', async () => {
    const { writer, batches, releaseNext, turn } = controlledFlushes();
    const writes = [writer.write(edit('a'))];
    await turn();
    expect(batches).toEqual([['a']]);

    // A few writes wait for the flush in flight, whatever their chat…
    writes.push(writer.write(edit('b')), writer.write(edit('c0', CHAT_2)));
    await turn();
    expect(batches).toHaveLength(1);

    // …until enough of other chats have queued: those go in a second flush at once, and
    // the first chat's write stays queued.
    const others = Array.from({ length: MIN_OVERLAPPING_FLUSH - 1 }, (_, i) => `c${i + 1}`);
    writes.push(...others.map((t) => writer.write(edit(t, CHAT_2))));
    await turn();
    expect(batches).toEqual([['a'], ['c0', ...others]]);

    // The first flush returns: its slot takes what waited, the first chat's write.
    await releaseNext();
    expect(batches).toEqual([['a'], ['c0', ...others], ['b']]);
    await releaseNext();
    await releaseNext();
    await expect(Promise.all(writes)).resolves.toHaveLength(MIN_OVERLAPPING_FLUSH + 2);
  });

  it('retries the writes of a failed flush one by one, so only a failing write fails', async () => {
    const { writer, batches, releaseNext } = controlledFlushes((texts) => texts.includes('bad'));
    const results = ['ok 1', 'bad', 'ok 2'].map((t) =>
      writer.write(edit(t)).then(
        (r) => r.outcome,
        (e: Error) => e.message,
      ),
    );
    for (let i = 0; i < 4; i += 1) await releaseNext();

    expect(batches).toEqual([['ok 1', 'bad', 'ok 2'], ['ok 1'], ['bad'], ['ok 2']]);
    await expect(Promise.all(results)).resolves.toEqual([
      'unchanged',
      'flush of bad failed',
      'unchanged',
    ]);
  });

  it('runs commit hooks in queue order before any caller resumes, across retries and flushes', async () => {
    const { writer, batches, releaseNext, turn } = controlledFlushes((texts) =>
      texts.includes('bad'),
    );
    const pushed: string[] = [];
    const resumed: string[] = [];
    const hook = (text: string) => () => {
      pushed.push(text);
    };
    // A caller that resumes through one more async layer than the others: pushing in its
    // continuation would put its write behind later writes of the same flush.
    const throughLayer = async (text: string) => {
      const layer = async () => writer.write(edit(text), hook(text));
      await layer();
      resumed.push(text);
    };
    const direct = async (text: string) => {
      await writer.write(edit(text), hook(text));
      resumed.push(text);
    };
    const settled = (calls: Array<Promise<void>>) => Promise.allSettled(calls);
    const first = settled([throughLayer('1'), direct('2'), throughLayer('3')]);
    await turn();
    // Queued while the first flush is in flight; this one fails as a whole, and is retried.
    const second = settled([direct('4'), direct('bad'), throughLayer('5')]);
    for (let i = 0; i < 5; i += 1) await releaseNext();
    await Promise.all([first, second]);

    expect(batches).toEqual([['1', '2', '3'], ['4', 'bad', '5'], ['4'], ['bad'], ['5']]);
    expect(pushed).toEqual(['1', '2', '3', '4', '5']);
    // The callers themselves resume in whatever order their await depth gives.
    expect(resumed).toEqual(['2', '1', '3', '4', '5']);
  });

  it('answers a write whose commit hook throws with that error; the others go on', async () => {
    const { writer, releaseNext } = controlledFlushes();
    const pushed: string[] = [];
    const failing = writer
      .write(edit('x'), () => {
        throw new Error('push failed');
      })
      .catch((error: Error) => error.message);
    const fine = writer.write(edit('y'), () => pushed.push('y'));
    await releaseNext();
    await expect(failing).resolves.toBe('push failed');
    await expect(fine).resolves.toMatchObject({ outcome: 'unchanged' });
    expect(pushed).toEqual(['y']);
  });

  it('gives every write its own event id, and waits for queued writes before shutdown', async () => {
    const { writer, batches, eventIds, releaseNext } = controlledFlushes();
    const pending = [writer.write(edit('x')), writer.write(edit('y'))];
    let drained = false;
    const shutdown = writer.beforeApplicationShutdown().then(() => (drained = true));
    await releaseNext();
    await shutdown;
    expect(drained).toBe(true);
    expect(batches).toEqual([['x', 'y']]);
    expect(new Set(eventIds).size).toBe(2);
    await expect(Promise.all(pending)).resolves.toHaveLength(2);
  });
});
