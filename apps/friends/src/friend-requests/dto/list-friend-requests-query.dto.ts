import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/dto/page-query.dto';
import type { RequestDirection } from '../friend-requests.repository';

const DIRECTIONS: RequestDirection[] = ['incoming', 'outgoing'];

/** Query of `GET /v1/friends/requests`. */
export class ListFriendRequestsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: DIRECTIONS,
    default: 'incoming',
    description: '`incoming`: requests sent to me; `outgoing`: requests I sent',
  })
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: RequestDirection;
}
