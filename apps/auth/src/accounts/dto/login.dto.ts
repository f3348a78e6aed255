import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/**
 * Rules of `auth.v1.LoginRequest`. Only shape is checked: a well-formed but wrong email
 * is an UNAUTHENTICATED answer like any other failed login.
 */
export class LoginDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsString()
  @IsNotEmpty({ message: 'email is required' })
  @MaxLength(254)
  email: string;

  /** Bounded so a login attempt cannot make auth hash megabytes. */
  @ApiProperty({ example: 'correct-horse-battery', maxLength: 128 })
  @IsString()
  @IsNotEmpty({ message: 'password is required' })
  @MaxLength(128)
  password: string;
}
