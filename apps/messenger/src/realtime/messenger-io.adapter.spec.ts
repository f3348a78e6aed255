import type { INestApplicationContext } from '@nestjs/common';
import type { RedisConnections } from '@app/platform';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { of } from 'rxjs';
import { LeanEvents } from './lean-events';
import { MessengerIoAdapter, originAllowed, toObservable } from './messenger-io.adapter';
import { fakeServerSocket as fakeSocket } from './testing';

type IoSocket = Parameters<MessengerIoAdapter['bindMessageHandlers']>[0];

const request = (origin?: string) =>
  ({ headers: origin === undefined ? {} : { origin } }) as IncomingMessage;

describe('originAllowed', () => {
  const allowlist = ['https://app.example.test'];

  it('lets a listed browser origin in', () => {
    expect(originAllowed(request('https://app.example.test'), allowlist)).toBe(true);
  });

  it('refuses an origin off the list', () => {
    expect(originAllowed(request('https://evil.example.test'), allowlist)).toBe(false);
  });

  it('lets clients without an Origin in (native apps; the token authenticates them)', () => {
    expect(originAllowed(request(), allowlist)).toBe(true);
  });

  it('compares the whole origin: scheme, host and port', () => {
    for (const near of ['http://app.example.test', 'https://app.example.test:8443']) {
      expect(originAllowed(request(near), allowlist)).toBe(false);
    }
  });
});

describe('MessengerIoAdapter.bindMessageHandlers', () => {
  const leanEvents = new LeanEvents();
  leanEvents.handle('typing', (socket, input) =>
    Promise.resolve({
      ok: true,
      lean: `${(socket as unknown as { name: string }).name} ${input.chatId}`,
    }),
  );
  const adapter = new MessengerIoAdapter({} as INestApplicationContext, {
    corsOrigins: ['https://app.example.test'],
    // Only createIOServer connects to Redis; these specs never call it.
    redis: {} as RedisConnections,
    keyPrefix: 'messenger',
    maxPayloadBytes: 1024,
    leanEvents,
  });
  /** Handlers as Nest's WebSocketsController hands them over: callbacks bound to the client. */
  const handlersFor = (socket: { name: string }): MessageMappingProperties[] => [
    {
      message: 'echo',
      methodName: 'echo',
      isAckHandledManually: false,
      callback: (data: unknown) => Promise.resolve({ ok: true, from: socket.name, data }),
    },
    {
      message: 'push',
      methodName: 'push',
      isAckHandledManually: false,
      callback: () => Promise.resolve(of({ event: 'pushed', data: socket.name })),
    },
    {
      message: 'silent',
      methodName: 'silent',
      isAckHandledManually: false,
      callback: () => Promise.resolve(undefined),
    },
  ];
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  const bind = (socket: ReturnType<typeof fakeSocket>, handlers = handlersFor(socket)) =>
    adapter.bindMessageHandlers(socket as unknown as IoSocket, handlers, () => of(undefined));

  it("acknowledges with each socket's own handler result", async () => {
    const [alice, bob] = [fakeSocket('alice'), fakeSocket('bob')];
    bind(alice);
    bind(bob);
    const acks: unknown[] = [];

    alice.receive('echo', { n: 1 }, (reply: unknown) => acks.push(reply));
    bob.receive('echo', { n: 2 }, (reply: unknown) => acks.push(reply));
    await flush();

    expect(acks).toEqual([
      { ok: true, from: 'alice', data: { n: 1 } },
      { ok: true, from: 'bob', data: { n: 2 } },
    ]);
  });

  it('emits `{event, data}` replies and sends nothing for nil', async () => {
    const carol = fakeSocket('carol');
    bind(carol);
    const acks: unknown[] = [];

    carol.receive('push', {}, (reply: unknown) => acks.push(reply));
    carol.receive('silent', {}, (reply: unknown) => acks.push(reply));
    await flush();

    expect(carol.sent).toEqual([['pushed', 'carol']]);
    expect(acks).toEqual([]);
  });

  it('calls every handler when two gateways subscribe to one event', async () => {
    const dave = fakeSocket('dave');
    const calls: string[] = [];
    const handler = (tag: string): MessageMappingProperties => ({
      message: 'twice',
      methodName: tag,
      isAckHandledManually: true,
      callback: () => Promise.resolve(calls.push(tag)),
    });
    bind(dave, [handler('first')]);
    bind(dave, [handler('second')]);

    dave.receive('twice', {});
    await flush();

    expect(calls).toEqual(['first', 'second']);
  });

  it('binds the lean events once per socket, beside the gateways', async () => {
    const erin = fakeSocket('erin');
    bind(erin);
    bind(
      erin,
      [handlersFor(erin)[0]].map((h) => ({ ...h, message: 'other' })),
    );
    const acks: unknown[] = [];
    const chatId = '6f1c6f8e-2f4b-4a57-9c55-3b0f1d3e8a10';

    erin.receive('typing', { chatId }, (reply: unknown) => acks.push(reply));
    await flush();

    expect(erin.listenerCount('typing')).toBe(1);
    expect(acks).toEqual([{ ok: true, lean: `erin ${chatId}` }]);
  });
});

describe('toObservable', () => {
  it('replies with a promised value, or with each value of a promised Observable', async () => {
    const values = async (result: unknown) => {
      const seen: unknown[] = [];
      await new Promise<void>((resolve) =>
        toObservable(result).subscribe({ next: (v) => seen.push(v), complete: resolve }),
      );
      return seen;
    };
    await expect(values(Promise.resolve(1))).resolves.toEqual([1]);
    await expect(values(Promise.resolve(of(1, 2)))).resolves.toEqual([1, 2]);
    await expect(values(of(3))).resolves.toEqual([3]);
    await expect(values(4)).resolves.toEqual([4]);
  });
});
