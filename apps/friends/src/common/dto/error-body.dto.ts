import { errorBodyDto } from '@app/platform';

/** The body of every error response of friends, as its OpenAPI document shows it. */
export const ErrorBodyDto = errorBodyDto({
  statusCode: 409,
  code: 'FRIENDS.ALREADY_FRIENDS',
  message: 'You are already friends',
  detail: { field: 'userId', message: 'userId must be a UUID' },
});
