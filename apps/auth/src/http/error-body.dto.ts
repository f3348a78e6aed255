import { errorBodyDto } from '@app/platform';

/** The body of every error answer of auth's HTTP gateway, as its OpenAPI document shows it. */
export const ErrorBodyDto = errorBodyDto({
  statusCode: 401,
  code: 'AUTH.INVALID_CREDENTIALS',
  message: 'Invalid email or password',
  detail: { field: 'password', message: 'password must be 8 to 128 characters long' },
});
