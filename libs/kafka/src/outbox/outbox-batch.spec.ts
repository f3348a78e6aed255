import type { EventEnvelope } from '@app/contracts';
import { OutboxRow, toMessage, withinBytes } from './outbox-batch';

const row = (seq: number, text = 'x'): OutboxRow => ({
  seq: String(seq),
  event_id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  topic: 'messenger.message.sent.v1',
  key: 'chat-1',
  envelope: { id: String(seq), payload: { text } } as unknown as EventEnvelope,
  headers: { traceparent: '00-abc-def-01' },
});

const sized = (...bytes: number[]) => bytes.map((b, i) => ({ seq: String(i + 1), bytes: b }));

describe('toMessage', () => {
  it('makes the record the relay sends: JSON value, the key, trace and event headers', () => {
    const message = toMessage(row(7, 'hello'));

    expect(message).toEqual({
      seq: '7',
      topic: 'messenger.message.sent.v1',
      key: 'chat-1',
      value: JSON.stringify({ id: '7', payload: { text: 'hello' } }),
      headers: {
        traceparent: '00-abc-def-01',
        'event-id': '00000000-0000-4000-8000-000000000007',
        'event-type': 'messenger.message.sent.v1',
      },
      bytes: expect.any(Number),
    });
  });

  it('counts the bytes of value, key and headers, multi-byte characters as UTF-8', () => {
    const ascii = toMessage(row(1, 'aaaa'));
    const emoji = toMessage(row(1, '😀'));

    expect(ascii.bytes).toBe(
      Buffer.byteLength(ascii.value) +
        'chat-1'.length +
        Object.entries(ascii.headers).reduce((n, [k, v]) => n + k.length + v.length, 0),
    );
    // One emoji is 4 bytes in UTF-8, like the four ASCII letters.
    expect(emoji.bytes).toBe(ascii.bytes);
  });
});

describe('withinBytes', () => {
  it('keeps a batch under the cap whole', () => {
    expect(withinBytes(sized(100, 100, 100), 300).map((m) => m.seq)).toEqual(['1', '2', '3']);
  });

  it('cuts the batch to the longest prefix within the cap, so the rest follows in order', () => {
    expect(withinBytes(sized(100, 100, 100, 1), 250).map((m) => m.seq)).toEqual(['1', '2']);
  });

  it('sends a single oversized record alone rather than never', () => {
    expect(withinBytes(sized(1_000, 1), 250).map((m) => m.seq)).toEqual(['1']);
  });

  it('returns nothing for nothing', () => {
    expect(withinBytes([], 250)).toEqual([]);
  });
});
