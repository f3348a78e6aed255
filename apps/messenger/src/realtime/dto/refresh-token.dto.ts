import { IsString, Length } from 'class-validator';

/** `auth:refresh` payload: a fresh access token of the same user. */
export class RefreshTokenDto {
  @IsString()
  @Length(1, 4096)
  token: string;
}
