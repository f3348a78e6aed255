import { ApiProperty } from '@nestjs/swagger';

/** A confirmed friend of the caller. */
export class FriendDto {
  @ApiProperty({ format: 'uuid', description: "The friend's user id" })
  userId: string;

  @ApiProperty({ format: 'date-time', description: 'When the friendship was confirmed' })
  since: Date;
}

/** A page of the caller's friends, newest first. */
export class FriendPageDto {
  @ApiProperty({ type: [FriendDto] })
  items: FriendDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}
