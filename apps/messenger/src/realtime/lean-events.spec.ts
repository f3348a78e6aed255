import { ErrorCodes } from '@app/contracts';
import { notAMember } from '../chats/chats.errors';
import { LeanEvents, type LeanHandler } from './lean-events';
import { fakeServerSocket as fakeSocket } from './testing';

const CHAT = '6f1c6f8e-2f4b-4a57-9c55-3b0f1d3e8a10';

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('LeanEvents', () => {
  const typingWith = (handler: LeanHandler<'typing'>) => {
    const events = new LeanEvents();
    jest.spyOn(events['logger'], 'error').mockImplementation(() => undefined);
    events.handle('typing', handler);
    const socket = fakeSocket();
    events.bind(socket);
    const acks: unknown[] = [];
    const send = (payload: unknown) =>
      socket.receive('typing', payload, (reply: unknown) => acks.push(reply));
    return { socket, acks, send };
  };

  it('hands the handler the socket and the checked payload, and acknowledges its answer', async () => {
    const handler = jest.fn<ReturnType<LeanHandler<'typing'>>, Parameters<LeanHandler<'typing'>>>(
      () => Promise.resolve({ ok: true }),
    );
    const { socket, acks, send } = typingWith(handler);

    send({ chatId: CHAT });
    await settled();

    expect(handler).toHaveBeenCalledWith(socket, { chatId: CHAT });
    expect(acks).toEqual([{ ok: true }]);
  });

  it('refuses a payload off the contract without calling the handler', async () => {
    const handler = jest.fn(() => Promise.resolve({ ok: true as const }));
    const { acks, send } = typingWith(handler);

    send({ chatId: 'not-a-uuid', extra: 1 });
    send(undefined);
    await settled();

    expect(handler).not.toHaveBeenCalled();
    expect(acks).toEqual([
      {
        ok: false,
        error: expect.objectContaining({ code: ErrorCodes.VALIDATION_FAILED }),
      },
      {
        ok: false,
        error: expect.objectContaining({ code: ErrorCodes.VALIDATION_FAILED }),
      },
    ]);
  });

  it('answers what the handler throws, synchronously or not, as the exception filter does', async () => {
    const refusal = notAMember();
    const thrown = typingWith(() => {
      throw refusal;
    });
    const rejected = typingWith(() => Promise.reject(refusal));
    const broken = typingWith(() => Promise.reject(new Error('connection terminated')));

    for (const { send } of [thrown, rejected, broken]) send({ chatId: CHAT });
    await settled();

    const notMember = {
      ok: false,
      error: {
        code: ErrorCodes.MESSENGER_CHAT_NOT_MEMBER,
        message: 'You are not a member of this chat',
      },
    };
    expect(thrown.acks).toEqual([notMember]);
    expect(rejected.acks).toEqual([notMember]);
    expect(broken.acks).toEqual([
      { ok: false, error: { code: 'COMMON.INTERNAL', message: 'Internal server error' } },
    ]);
  });

  it('emits `exception` for a failed event sent without an ack, and nothing for a success', async () => {
    const failing = typingWith(() => Promise.reject(new Error('boom')));
    const fine = typingWith(() => Promise.resolve({ ok: true }));

    failing.socket.receive('typing', { chatId: CHAT });
    fine.socket.receive('typing', { chatId: CHAT });
    await settled();

    expect(failing.socket.sent).toEqual([
      ['exception', { ok: false, error: expect.objectContaining({ code: 'COMMON.INTERNAL' }) }],
    ]);
    expect(fine.socket.sent).toEqual([]);
  });

  it('takes one handler per event', () => {
    const events = new LeanEvents();
    events.handle('typing', () => Promise.resolve({ ok: true }));
    expect(() => events.handle('typing', () => Promise.resolve({ ok: true }))).toThrow(
      /lean handler already/,
    );
  });
});
