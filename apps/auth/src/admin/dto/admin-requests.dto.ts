import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, Length } from 'class-validator';

/** Rules of `auth.v1.ReinstateAccountRequest` (over HTTP, the path parameter). */
export class ReinstateAccountDto {
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId: string;
}

/** Rules of `auth.v1.SuspendAccountRequest` (over HTTP, `userId` is the path parameter). */
export class SuspendAccountDto extends ReinstateAccountDto {
  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Spam reported by several users' })
  @IsString()
  @Length(1, 500, { message: 'reason must be 1 to 500 characters long' })
  reason: string;
}

/** The HTTP body of a suspension: the reason (the account is in the path). */
export class SuspendAccountBodyDto {
  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Spam reported by several users' })
  reason: string;
}
