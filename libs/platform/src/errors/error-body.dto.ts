import type { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { HttpErrorBody } from './http-error';

/** What a service's OpenAPI document shows as an example error (one of its own). */
export interface ErrorBodyExample {
  statusCode: number;
  code: string;
  message: string;
  /** An example of one invalid field. */
  detail: { field: string; message: string };
}

/**
 * The OpenAPI schema of {@link HttpErrorBody} (`ErrorBodyDto`, with `ErrorDetailDto`), for
 * a service's `@Api…Response({ type })` decorators. Only the examples are the service's.
 */
export function errorBodyDto(example: ErrorBodyExample): Type<HttpErrorBody> {
  // The class names are the schema names in the OpenAPI document.
  class ErrorDetailDto {
    @ApiProperty({ example: example.detail.field })
    field: string;

    @ApiProperty({ example: example.detail.message })
    message: string;
  }

  class ErrorBodyDto implements HttpErrorBody {
    @ApiProperty({ description: 'The HTTP status, repeated', example: example.statusCode })
    statusCode: number;

    @ApiProperty({
      description: 'Stable machine-readable code, `DOMAIN.REASON`; messages may change, codes not',
      example: example.code,
    })
    code: string;

    @ApiProperty({ description: 'Human-readable explanation', example: example.message })
    message: string;

    @ApiPropertyOptional({ type: [ErrorDetailDto], description: 'Per-field problems, if any' })
    details?: ErrorDetailDto[];
  }

  return ErrorBodyDto;
}
