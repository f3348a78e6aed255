import { Inject, Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AccessTokenVerifier, bearerToken } from '../auth/access-token.verifier';
import { toHttpErrorBody } from '../errors/http-error';
import { clientAddress } from './client-address';
import { RateLimitedError } from './rate-limited.error';
import { Caller, RATE_LIMIT_OPTIONS, RateLimitOptions } from './rate-limit.options';
import { RequestRateLimiter } from './request-rate-limiter';

/**
 * Paths never limited: probes and scrapes must keep working while a client is throttled
 * (`/health/*`, `/metrics`), and the API documentation is static (`/docs*`).
 */
const EXEMPT = /^\/(?:health(?:\/|$)|metrics$|docs(?:-json|-yaml)?(?:\/|$))/;

/**
 * Counts every HTTP request of the app against its caller's limit before anything else
 * runs for it (guards, GraphQL parsing, handlers). The caller is the user of a valid
 * Bearer token — verified here, so a forged token cannot spend someone else's budget —
 * or else the client address. Over the limit: 429 with `Retry-After`, and the app's error
 * body (`{statusCode, code: COMMON.RATE_LIMITED, message}` unless it declared another).
 */
@Injectable()
export class RateLimitMiddleware implements NestMiddleware {
  private readonly logger = new Logger('RateLimit');

  constructor(
    private readonly limiter: RequestRateLimiter,
    private readonly verifier: AccessTokenVerifier,
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: RateLimitOptions,
  ) {}

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    // The full path: a middleware mounted on a pattern sees `request.path` relative to it.
    const path = request.originalUrl.split('?', 1)[0];
    if (EXEMPT.test(path)) return next();
    const caller = await this.callerOf(request);
    const retryAfter = await this.limiter.take(caller);
    if (retryAfter === undefined) return next();
    const error = new RateLimitedError(retryAfter);
    response.setHeader('Retry-After', String(retryAfter));
    response
      .status(429)
      .json(this.options.refusalBody?.(error) ?? toHttpErrorBody(error, this.logger));
  }

  private async callerOf(request: Request): Promise<Caller> {
    const token = bearerToken(request.headers.authorization);
    if (token) {
      try {
        return { kind: 'user', userId: (await this.verifier.verify(token)).userId };
      } catch {
        // Counted by address; the route's own guard answers the bad token.
      }
    }
    return { kind: 'address', address: clientAddress(request, this.options.trustProxy) };
  }
}
