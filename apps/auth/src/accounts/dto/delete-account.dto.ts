import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Rules of `auth.v1.DeleteAccountRequest`. */
export class DeleteAccountDto {
  /**
   * The account's password; bounded like a login's. An account without a password (made
   * through OAuth) leaves it out and confirms with a login of the last 5 minutes instead.
   */
  @ApiPropertyOptional({
    example: 'correct-horse-battery',
    maxLength: 128,
    description:
      'The password. Accounts without one (OAuth) omit it: their session must be at most 5 minutes old',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  password?: string;
}
