import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

export const emailTaken = (): DomainError =>
  new DomainError(
    'ALREADY_EXISTS',
    ErrorCodes.AUTH_EMAIL_TAKEN,
    'This email is already registered',
  );

export const nicknameTaken = (): DomainError =>
  new DomainError(
    'ALREADY_EXISTS',
    ErrorCodes.AUTH_NICKNAME_TAKEN,
    'This nickname is already taken',
  );

/** One message for an unknown email and a wrong password, so neither can be probed. */
export const invalidCredentials = (): DomainError =>
  new DomainError(
    'UNAUTHENTICATED',
    ErrorCodes.AUTH_INVALID_CREDENTIALS,
    'Invalid email or password',
  );

/** Request fields broke the rules; `details` lists each problem. */
export const validationFailed = (
  details: ReadonlyArray<{ field: string; message: string }>,
): DomainError =>
  new DomainError(
    'INVALID_ARGUMENT',
    ErrorCodes.VALIDATION_FAILED,
    `Invalid request: ${details.map((d) => d.message).join('; ')}`,
    details,
  );
