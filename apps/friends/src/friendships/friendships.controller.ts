import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthenticatedUser, BearerAuthGuard, CurrentUser } from '@app/platform';
import { ErrorBodyDto } from '../common/dto/error-body.dto';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { FriendPageDto } from './dto/friend.dto';
import { FriendshipsService } from './friendships.service';

/** The caller's confirmed friends. */
@ApiTags('friends')
@ApiBearerAuth()
@ApiUnauthorizedResponse({
  type: ErrorBodyDto,
  description: 'No or invalid access token (COMMON.UNAUTHENTICATED)',
})
@UseGuards(BearerAuthGuard)
@Controller('v1/friends')
export class FriendshipsController {
  constructor(private readonly friendships: FriendshipsService) {}

  @Get()
  @ApiOperation({
    summary: 'List my friends',
    description: 'Confirmed friends of the caller, newest friendship first, keyset-paginated.',
  })
  @ApiOkResponse({ type: FriendPageDto })
  @ApiBadRequestResponse({
    type: ErrorBodyDto,
    description: 'Bad limit or cursor (COMMON.VALIDATION_FAILED)',
  })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: PageQueryDto,
  ): Promise<FriendPageDto> {
    return this.friendships.listFriends(user.userId, query);
  }
}
