import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from '../common/dto/error-body.dto';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/** Makes a POST route honour `Idempotency-Key`, and documents it. */
export function Idempotent(): MethodDecorator {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Any unique string (a UUID): a retry with the same key and body gets the first ' +
        'answer again (with `Idempotent-Replayed: true`) and changes nothing. Kept 24 h.',
    }),
    ApiUnprocessableEntityResponse({
      type: ErrorBodyDto,
      description: 'The key was used for a different request (FRIENDS.IDEMPOTENCY_KEY_REUSED)',
    }),
  );
}
