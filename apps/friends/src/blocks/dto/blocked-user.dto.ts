import { ApiProperty } from '@nestjs/swagger';

/** A user the caller blocks. */
export class BlockedUserDto {
  @ApiProperty({ format: 'uuid', description: 'The blocked user' })
  userId: string;

  @ApiProperty({ format: 'date-time', description: 'When the block started' })
  since: Date;
}

/** A page of the users the caller blocks, most recent first. */
export class BlockedUserPageDto {
  @ApiProperty({ type: [BlockedUserDto] })
  items: BlockedUserDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}
