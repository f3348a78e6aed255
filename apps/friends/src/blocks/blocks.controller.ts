import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthenticatedUser, BearerAuthGuard, CurrentUser } from '@app/platform';
import { ConditionalGet } from '../common/conditional-get.decorator';
import { ApiRateLimited } from '../common/api-rate-limited.decorator';
import { ErrorBodyDto } from '../common/dto/error-body.dto';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { BlocksService } from './blocks.service';
import { BlockUserDto } from './dto/block-user.dto';
import { BlockedUserDto, BlockedUserPageDto } from './dto/blocked-user.dto';

/** Users the caller shuts out. */
@ApiTags('blocks')
@ApiBearerAuth()
@ApiUnauthorizedResponse({
  type: ErrorBodyDto,
  description: 'No or invalid access token (COMMON.UNAUTHENTICATED)',
})
@ApiRateLimited()
@UseGuards(BearerAuthGuard)
@Controller('v1/blocks')
export class BlocksController {
  constructor(private readonly blocks: BlocksService) {}

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: 'Block a user',
    description:
      'Ends your friendship with `userId` and cancels any pending request between you; ' +
      'neither of you can send a request while the block lasts, and messenger refuses ' +
      'messages between you.',
  })
  @ApiCreatedResponse({ type: BlockedUserDto, description: 'The block' })
  @ApiBadRequestResponse({
    type: ErrorBodyDto,
    description: 'Invalid body (COMMON.VALIDATION_FAILED) or yourself (FRIENDS.SELF_BLOCK)',
  })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such user (FRIENDS.USER_NOT_FOUND)' })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description:
      'You already block them (FRIENDS.ALREADY_BLOCKED) or changed concurrently ' +
      '(FRIENDS.CONCURRENT_UPDATE)',
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorBodyDto,
    description: 'Body too large (COMMON.PAYLOAD_TOO_LARGE)',
  })
  block(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: BlockUserDto,
  ): Promise<BlockedUserDto> {
    return this.blocks.block(user.userId, body.userId);
  }

  @Delete(':userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Unblock a user',
    description: 'Lifts your block. A friendship the block ended does not come back.',
  })
  @ApiParam({ name: 'userId', format: 'uuid', description: 'The blocked user' })
  @ApiNoContentResponse({ description: 'Unblocked' })
  @ApiBadRequestResponse({
    type: ErrorBodyDto,
    description: 'userId is not a UUID (COMMON.VALIDATION_FAILED)',
  })
  @ApiNotFoundResponse({
    type: ErrorBodyDto,
    description: 'You do not block this user (FRIENDS.NOT_BLOCKED)',
  })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: 'Changed concurrently (FRIENDS.CONCURRENT_UPDATE)',
  })
  async unblock(
    @CurrentUser() user: AuthenticatedUser,
    @Param('userId', ParseUUIDPipe) userId: string,
  ): Promise<void> {
    await this.blocks.unblock(user.userId, userId);
  }

  @Get()
  @ConditionalGet()
  @ApiOperation({
    summary: 'List the users I block',
    description: 'Most recent block first, keyset-paginated.',
  })
  @ApiOkResponse({ type: BlockedUserPageDto })
  @ApiBadRequestResponse({
    type: ErrorBodyDto,
    description: 'Bad limit or cursor (COMMON.VALIDATION_FAILED)',
  })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: PageQueryDto,
  ): Promise<BlockedUserPageDto> {
    return this.blocks.list(user.userId, query);
  }
}
