import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';

/** Documents the ETag / If-None-Match behaviour every GET under /v1 has (see http-setup). */
export function ConditionalGet(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'The `ETag` of an earlier answer; if the list has not changed: 304',
    }),
    ApiResponse({ status: 304, description: 'Not modified: your copy (its ETag) is current' }),
  );
}
