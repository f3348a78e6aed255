import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './dto/error-body.dto';

/** Documents the platform's per-user request limit, which every REST route answers. */
export const ApiRateLimited = () =>
  ApiTooManyRequestsResponse({
    type: ErrorBodyDto,
    description:
      'Too many requests from you (COMMON.RATE_LIMITED); `Retry-After` says when to try again',
    headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
  });
