import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

/** Rules of `auth.v1.RegisterRequest`, checked before any work (and before hashing). */
export class RegisterDto {
  /** The login email; compared and stored lower-cased. */
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  /** 8 to 128 characters; the upper bound keeps hashing cost bounded. */
  @ApiProperty({ example: 'correct-horse-battery', minLength: 8, maxLength: 128 })
  @IsString()
  @Length(8, 128, { message: 'password must be 8 to 128 characters long' })
  password: string;

  /** 3 to 32 letters, digits or underscores; unique case-insensitively (profile decides). */
  @ApiProperty({ example: 'ada', pattern: '^[A-Za-z0-9_]{3,32}$' })
  @IsString()
  @Matches(/^[A-Za-z0-9_]{3,32}$/, {
    message: 'nickname must be 3 to 32 characters of letters, digits and underscores',
  })
  nickname: string;
}
