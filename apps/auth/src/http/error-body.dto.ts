import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One invalid field of a request. */
export class ErrorDetailDto {
  @ApiProperty({ example: 'password' })
  field: string;

  @ApiProperty({ example: 'password must be 8 to 128 characters long' })
  message: string;
}

/** The body of every error answer of the HTTP gateway (the platform's exception filter). */
export class ErrorBodyDto {
  @ApiProperty({ description: 'The HTTP status, repeated', example: 401 })
  statusCode: number;

  @ApiProperty({
    description: 'Stable machine-readable code, `DOMAIN.REASON`; messages may change, codes not',
    example: 'AUTH.INVALID_CREDENTIALS',
  })
  code: string;

  @ApiProperty({ description: 'Human-readable explanation', example: 'Invalid email or password' })
  message: string;

  @ApiPropertyOptional({ type: [ErrorDetailDto], description: 'Per-field problems, if any' })
  details?: ErrorDetailDto[];
}
