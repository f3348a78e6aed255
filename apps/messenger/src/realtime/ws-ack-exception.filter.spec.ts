import type { ArgumentsHost } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';
import { WsAckExceptionFilter } from './ws-ack-exception.filter';

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
