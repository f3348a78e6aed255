import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthenticatedUser, BearerAuthGuard, CurrentUser } from '@app/platform';
import { ConditionalGet } from '../common/conditional-get.decorator';
import { ApiRateLimited } from '../common/api-rate-limited.decorator';
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
@ApiRateLimited()
@UseGuards(BearerAuthGuard)
@Controller('v1/friends')
export class FriendshipsController {
  constructor(private readonly friendships: FriendshipsService) {}

  @Get()
  @ConditionalGet()
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

  @Delete(':userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Unfriend a user',
    description:
      'Ends your friendship with `userId`; if you are not friends yet, withdraws the ' +
      'request you sent them. Either way both of you can ask again later.',
  })
  @ApiParam({ name: 'userId', format: 'uuid', description: 'The friend (or the user you asked)' })
  @ApiNoContentResponse({ description: 'Friendship ended or request withdrawn' })
  @ApiBadRequestResponse({
    type: ErrorBodyDto,
    description: 'userId is not a UUID (COMMON.VALIDATION_FAILED)',
  })
  @ApiNotFoundResponse({
    type: ErrorBodyDto,
    description: 'Neither friends nor a pending request from you (FRIENDS.NOT_FRIENDS)',
  })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: 'Changed concurrently, e.g. accepted at that moment (FRIENDS.CONCURRENT_UPDATE)',
  })
  async unfriend(
    @CurrentUser() user: AuthenticatedUser,
    @Param('userId', ParseUUIDPipe) userId: string,
  ): Promise<void> {
    await this.friendships.unfriend(user.userId, userId);
  }
}
