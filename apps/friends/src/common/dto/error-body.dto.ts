import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One invalid field of a request. */
export class ErrorDetailDto {
  @ApiProperty({ example: 'userId' })
  field: string;

  @ApiProperty({ example: 'userId must be a UUID' })
  message: string;
}

/** The body of every error response (written by the platform's HttpExceptionFilter). */
export class ErrorBodyDto {
  @ApiProperty({ description: 'The HTTP status, repeated', example: 409 })
  statusCode: number;

  @ApiProperty({
    description: 'Stable machine-readable code, `DOMAIN.REASON`; messages may change, codes not',
    example: 'FRIENDS.ALREADY_FRIENDS',
  })
  code: string;

  @ApiProperty({ description: 'Human-readable explanation', example: 'You are already friends' })
  message: string;

  @ApiPropertyOptional({ type: [ErrorDetailDto], description: 'Per-field problems, if any' })
  details?: ErrorDetailDto[];
}
