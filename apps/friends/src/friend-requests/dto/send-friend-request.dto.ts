import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

/** Body of `POST /v1/friends/requests`. */
export class SendFriendRequestDto {
  @ApiProperty({ format: 'uuid', description: 'The user to ask' })
  @IsUUID()
  userId: string;
}
