import { ApiProperty } from '@nestjs/swagger';
import type { FriendRequestEntity, FriendRequestStatus } from '../entities/friend-request.entity';

const STATUSES: FriendRequestStatus[] = ['pending', 'accepted', 'declined', 'cancelled'];

/** A friend request as clients see it. */
export class FriendRequestDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid', description: 'Who asked' })
  fromUserId: string;

  @ApiProperty({ format: 'uuid', description: 'Who was asked (the only one who may answer)' })
  toUserId: string;

  @ApiProperty({ enum: STATUSES })
  status: FriendRequestStatus;

  @ApiProperty({ format: 'date-time' })
  createdAt: Date;

  static from(request: FriendRequestEntity): FriendRequestDto {
    return {
      id: request.id,
      fromUserId: request.fromUserId,
      toUserId: request.toUserId,
      status: request.status,
      createdAt: request.createdAt,
    };
  }
}

/** A page of pending requests, newest first. */
export class FriendRequestPageDto {
  @ApiProperty({ type: [FriendRequestDto] })
  items: FriendRequestDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}
