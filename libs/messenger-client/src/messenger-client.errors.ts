import type { SocketApi } from '@app/contracts';

/** Failures the client detects itself, beside the server's `DOMAIN.REASON` codes. */
export const ClientErrorCodes = {
  /** No acknowledgement within the call's timeout (the server may still have acted). */
  TIMEOUT: 'CLIENT.TIMEOUT',
  /** The call was not sent: the socket is not connected. */
  OFFLINE: 'CLIENT.OFFLINE',
  /** The connection dropped while the call waited for its acknowledgement. */
  DISCONNECTED: 'CLIENT.DISCONNECTED',
  /** The client was closed; pending sends end with this. */
  CLOSED: 'CLIENT.CLOSED',
  /** A pending send was given up by {@link MessengerClient.cancelSend}. */
  CANCELLED: 'CLIENT.CANCELLED',
  /** The connection could not be opened (refused handshake without a code, network). */
  CONNECT_FAILED: 'CLIENT.CONNECT_FAILED',
  /** The server answered something that is not an acknowledgement of the contract. */
  BAD_ANSWER: 'CLIENT.BAD_ANSWER',
} as const;

export type ClientErrorCode = (typeof ClientErrorCodes)[keyof typeof ClientErrorCodes];

/**
 * A call that failed: the error half of the acknowledgement (`{code, message, details?}`,
 * `code` a stable `DOMAIN.REASON` such as `CHAT.NOT_MEMBER`), or a {@link ClientErrorCodes}
 * code for what the client saw itself. Callers switch on `code`, never on `message`.
 */
export class MessengerClientError extends Error implements SocketApi.AckError {
  readonly code: ClientErrorCode | (string & {});
  readonly details?: SocketApi.AckError['details'];
  /** The client event that failed (`message:send` …), when a call failed. */
  readonly event?: string;

  constructor(error: SocketApi.AckError, event?: string) {
    super(error.message);
    this.name = 'MessengerClientError';
    this.code = error.code;
    if (error.details) this.details = error.details;
    if (event !== undefined) this.event = event;
  }

  /** The error body as the contract shapes it. */
  toJSON(): SocketApi.AckError {
    return {
      code: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** Whether `error` is a {@link MessengerClientError}, optionally with the given code. */
export function isMessengerClientError(
  error: unknown,
  code?: ClientErrorCode | (string & {}),
): error is MessengerClientError {
  return error instanceof MessengerClientError && (code === undefined || error.code === code);
}

export const clientError = (code: ClientErrorCode, message: string, event?: string) =>
  new MessengerClientError({ code, message }, event);
