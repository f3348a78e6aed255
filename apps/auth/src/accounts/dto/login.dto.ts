import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/**
 * Rules of `auth.v1.LoginRequest`. Only shape is checked: a well-formed but wrong email
 * is an UNAUTHENTICATED answer like any other failed login.
 */
export class LoginDto {
  @IsString()
  @IsNotEmpty({ message: 'email is required' })
  @MaxLength(254)
  email: string;

  /** Bounded so a login attempt cannot make auth hash megabytes. */
  @IsString()
  @IsNotEmpty({ message: 'password is required' })
  @MaxLength(128)
  password: string;
}
