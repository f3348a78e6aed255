import type { ArgumentsHost } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';
import { WsAckExceptionFilter } from './ws-ack-exception.filter';
import { SocketPayloadPipe } from './socket-payload.pipe';

/** The host Nest gives a socket.io filter: (client, data, ack, pattern). */
function wsHost(ack?: jest.Mock) {
  const client = { emit: jest.fn() };
  const args = ack ? [client, {}, ack, 'message:send'] : [client, {}, 'message:send'];
  const host = {
    getArgs: () => args,
    switchToWs: () => ({
      getClient: () => client,
      getData: () => ({}),
      getPattern: () => 'message:send',
    }),
  } as unknown as ArgumentsHost;
  return { host, client };
}

describe('WsAckExceptionFilter', () => {
  const filter = new WsAckExceptionFilter();
  jest.spyOn(filter['logger'], 'error').mockImplementation(() => undefined);

  it('answers a domain error through the ack with its code', () => {
    const ack = jest.fn();
    filter.catch(
      new DomainError('NOT_FOUND', ErrorCodes.MESSENGER_CHAT_NOT_FOUND, 'Chat not found'),
      wsHost(ack).host,
    );
    expect(ack).toHaveBeenCalledWith({
      ok: false,
      error: { code: 'MESSENGER.CHAT_NOT_FOUND', message: 'Chat not found' },
    });
  });

  it('masks an unexpected error as COMMON.INTERNAL', () => {
    const ack = jest.fn();
    filter.catch(new Error('relation "messages" does not exist'), wsHost(ack).host);
    expect(ack).toHaveBeenCalledWith({
      ok: false,
      error: { code: 'COMMON.INTERNAL', message: 'Internal server error' },
    });
  });

  it('emits `exception` when the client asked for no ack', () => {
    const { host, client } = wsHost();
    filter.catch(new DomainError('NOT_FOUND', ErrorCodes.MESSENGER_CHAT_NOT_FOUND, 'x'), host);
    expect(client.emit).toHaveBeenCalledWith('exception', {
      ok: false,
      error: { code: 'MESSENGER.CHAT_NOT_FOUND', message: 'x' },
    });
  });
});

describe('SocketPayloadPipe', () => {
  const pipe = new SocketPayloadPipe('message:send');

  it('turns a bad payload into COMMON.VALIDATION_FAILED with the fields at fault', () => {
    let error: unknown;
    try {
      pipe.transform({ chatId: 'not-a-uuid', clientMessageId: 'k1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCodes.VALIDATION_FAILED);
    expect((error as DomainError).details?.map((d) => d.field)).toEqual(
      expect.arrayContaining(['chatId', 'text']),
    );
  });

  it('refuses fields the contract does not declare', () => {
    const payload = {
      chatId: 'c0000000-0000-4000-8000-000000000001',
      clientMessageId: 'k',
      text: 'hi',
      admin: true,
    };
    expect(() => pipe.transform(payload)).toThrow(
      expect.objectContaining({ code: ErrorCodes.VALIDATION_FAILED }),
    );
  });

  it('passes a valid payload through as the contract shapes it', () => {
    const payload = {
      chatId: 'c0000000-0000-4000-8000-000000000001',
      clientMessageId: 'k',
      text: 'hi',
    };
    expect(pipe.transform(payload)).toEqual(payload);
  });
});
