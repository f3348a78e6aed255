import { EventEmitter } from 'node:events';
import type { INestApplicationContext } from '@nestjs/common';
import type { RedisConnections } from '@app/platform';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { of } from 'rxjs';
import { MessengerIoAdapter, originAllowed, toObservable } from './messenger-io.adapter';

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
  const adapter = new MessengerIoAdapter({} as INestApplicationContext, {
    corsOrigins: ['https://app.example.test'],
    // Only createIOServer connects to Redis; these specs never call it.
    redis: {} as RedisConnections,
    keyPrefix: 'messenger',
    maxPayloadBytes: 1024,
  });
  /** A socket stand-in: socket.io's Socket is an EventEmitter with `emit` to the client. */
  const fakeSocket = (name: string) => {
    const socket = new EventEmitter() as EventEmitter & { name: string; sent: unknown[][] };
    socket.name = name;
    socket.sent = [];
    const deliver = socket.emit.bind(socket);
    return Object.assign(socket, {
      /** What the server sends to the client (socket.io's `emit`). */
      emit: (event: string, ...args: unknown[]) => {
        socket.sent.push([event, ...args]);
        return true;
      },
      /** What the client sends to the server. */
      receive: (event: string, ...args: unknown[]) => deliver(event, ...args),
    });
  };
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
