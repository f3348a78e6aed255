import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

/** Body of `POST /v1/blocks`. */
export class BlockUserDto {
  @ApiProperty({ format: 'uuid', description: 'The user to block' })
  @IsUUID()
  userId: string;
}
