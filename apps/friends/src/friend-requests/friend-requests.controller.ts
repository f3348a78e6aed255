import {
  applyDecorators,
  Body,
  Controller,
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
  ApiForbiddenResponse,
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
import { FriendRequestDto, FriendRequestPageDto } from './dto/friend-request.dto';
import { ListFriendRequestsQueryDto } from './dto/list-friend-requests-query.dto';
import { SendFriendRequestDto } from './dto/send-friend-request.dto';
import { FriendRequestsService } from './friend-requests.service';

/** Asking someone to be friends, and answering. */

/** The documented answers of accepting or declining a request (both have the same rules). */
const AnswerResponses = (status: 'accepted' | 'declined') =>
  applyDecorators(
    ApiParam({ name: 'id', format: 'uuid', description: 'The friend request id' }),
    ApiOkResponse({ type: FriendRequestDto, description: `The request, now \`${status}\`` }),
    ApiBadRequestResponse({
      type: ErrorBodyDto,
      description: 'id is not a UUID (COMMON.VALIDATION_FAILED)',
    }),
    ApiForbiddenResponse({
      type: ErrorBodyDto,
      description: 'You sent this request (FRIENDS.NOT_ADDRESSEE)',
    }),
    ApiNotFoundResponse({
      type: ErrorBodyDto,
      description: 'No such request (FRIENDS.REQUEST_NOT_FOUND)',
    }),
    ApiConflictResponse({
      type: ErrorBodyDto,
      description:
        'Already answered or withdrawn (FRIENDS.REQUEST_NOT_PENDING), or changed concurrently ' +
        '(FRIENDS.CONCURRENT_UPDATE)',
    }),
  );

@ApiTags('friend requests')
@ApiBearerAuth()
@ApiUnauthorizedResponse({
  type: ErrorBodyDto,
  description: 'No or invalid access token (COMMON.UNAUTHENTICATED)',
})
@ApiRateLimited()
@UseGuards(BearerAuthGuard)
@Controller('v1/friends/requests')
export class FriendRequestsController {
  constructor(private readonly requests: FriendRequestsService) {}

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: 'Send a friend request',
    description:
      'Asks `userId` to be friends. If that user has already asked you, their request is ' +
      'accepted instead and returned with status `accepted`.',
  })
  @ApiCreatedResponse({
    type: FriendRequestDto,
    description: 'The new pending request, or the accepted counter-request',
  })
  @ApiBadRequestResponse({
    type: ErrorBodyDto,
    description:
      'Invalid body (COMMON.VALIDATION_FAILED) or a request to yourself (FRIENDS.SELF_REQUEST)',
  })
  @ApiForbiddenResponse({
    type: ErrorBodyDto,
    description: 'One of you blocks the other (FRIENDS.BLOCKED)',
  })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such user (FRIENDS.USER_NOT_FOUND)' })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description:
      'Already friends (FRIENDS.ALREADY_FRIENDS), already asked (FRIENDS.ALREADY_PENDING) ' +
      'or changed concurrently (FRIENDS.CONCURRENT_UPDATE)',
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorBodyDto,
    description: 'Body too large (COMMON.PAYLOAD_TOO_LARGE)',
  })
  async send(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: SendFriendRequestDto,
  ): Promise<FriendRequestDto> {
    return FriendRequestDto.from(await this.requests.send(user.userId, body.userId));
  }

  @Post(':id/accept')
  @Idempotent()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Accept a friend request',
    description: 'Only the user the request was sent to may accept it; you become friends.',
  })
  @AnswerResponses('accepted')
  async accept(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<FriendRequestDto> {
    return FriendRequestDto.from(await this.requests.accept(user.userId, id));
  }

  @Post(':id/decline')
  @Idempotent()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Decline a friend request',
    description:
      'Only the user the request was sent to may decline it. The sender is not told ' +
      'separately (they see `friends.request.declined.v1` or the status) and may ask again.',
  })
  @AnswerResponses('declined')
  async decline(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<FriendRequestDto> {
    return FriendRequestDto.from(await this.requests.decline(user.userId, id));
  }

  @Get()
  @ConditionalGet()
  @ApiOperation({
    summary: 'List my pending friend requests',
    description: 'Pending requests sent to me (`incoming`) or by me (`outgoing`), newest first.',
  })
  @ApiOkResponse({ type: FriendRequestPageDto })
  @ApiBadRequestResponse({
    type: ErrorBodyDto,
    description: 'Bad direction, limit or cursor (COMMON.VALIDATION_FAILED)',
  })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListFriendRequestsQueryDto,
  ): Promise<FriendRequestPageDto> {
    const page = await this.requests.listPending(user.userId, query.direction ?? 'incoming', query);
    return {
      items: page.items.map((request) => FriendRequestDto.from(request)),
      nextCursor: page.nextCursor,
    };
  }
}
