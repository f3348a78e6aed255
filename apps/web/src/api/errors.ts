import type { ErrorCode } from '@app/contracts';

/**
 * A failed call to one of the platform's APIs, with the stable `DOMAIN.REASON` code the
 * UI switches on (REST `code`, GraphQL `extensions.errorCode`/`code`, socket ack
 * `error.code`), or a local code for what never reached a server.
 */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | LocalErrorCode | (string & {}),
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Failures the client itself detects. */
export type LocalErrorCode = 'CLIENT.OFFLINE' | 'CLIENT.TIMEOUT' | 'CLIENT.SESSION_ENDED';

/** Wordings for the codes a person can act on; other errors show the server's message. */
const WORDING: Partial<Record<string, string>> = {
  'AUTH.INVALID_CREDENTIALS': 'Wrong email or password.',
  'AUTH.EMAIL_TAKEN': 'An account with this email exists already.',
  'AUTH.NICKNAME_TAKEN': 'This nickname is taken.',
  'PROFILE.NICKNAME_TAKEN': 'This nickname is taken.',
  'COMMON.RATE_LIMITED': 'Too many attempts; wait a moment and try again.',
  'CLIENT.OFFLINE': 'You are offline; try again once the connection is back.',
  'CLIENT.TIMEOUT': 'The server did not answer in time; try again.',
};

/** What to show a person for an error (messages of the servers are written for people). */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return WORDING[error.code] ?? error.message;
  return 'Something went wrong; try again.';
}

/** Reads the `{statusCode, code, message}` body every service and the gateway answer with. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as {
    code?: string;
    message?: string | string[];
  } | null;
  const message = Array.isArray(body?.message) ? body.message.join('; ') : body?.message;
  return new ApiError(
    body?.code ?? `HTTP.${response.status}`,
    message ?? response.statusText,
    response.status,
  );
}
