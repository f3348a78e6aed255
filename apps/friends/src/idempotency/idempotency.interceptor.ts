import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { AuthenticatedUser, TransactionHost, validationFailed } from '@app/platform';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, Observable } from 'rxjs';
import { IdempotencyRepository } from './idempotency.repository';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Set on a response that is a replay of the stored one. */
export const REPLAYED_HEADER = 'idempotent-replayed';
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** How long an answer is kept for replay; a client retries within minutes, not days. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * `Idempotency-Key` on POST routes: the first request with a key runs, and its answer is
 * stored with the key in the same transaction as its effects; a retry with the same key
 * and the same request gets that answer again without running anything; the same key with
 * a different request is refused (422 FRIENDS.IDEMPOTENCY_KEY_REUSED).
 *
 * Errors are not stored: a refused request changed nothing, so running it again is as safe
 * as replaying the refusal, and a retry after a transient failure gets a real chance.
 * Keys are per user, so one user's key never collides with another's.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly tx: TransactionHost,
    private readonly keys: IdempotencyRepository,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request & { user?: AuthenticatedUser }>();
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (request.method !== 'POST' || key === undefined || !request.user) return next.handle();
    if (typeof key !== 'string' || !KEY_FORMAT.test(key)) {
      throw validationFailed(
        [{ field: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }],
        'Bad Idempotency-Key',
      );
    }
    const userId = request.user.userId;
    const hash = createHash('sha256')
      .update(`${request.method} ${request.originalUrl}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');

    return from(
      this.tx.run(async () => {
        if (!(await this.keys.claim(userId, key, hash, IDEMPOTENCY_KEY_TTL_MS))) {
          const stored = await this.keys.find(userId, key);
          if (stored?.requestHash !== hash) {
            throw new UnprocessableEntityException({
              code: ErrorCodes.FRIENDS_IDEMPOTENCY_KEY_REUSED,
              message: 'This Idempotency-Key was used for a different request',
            });
          }
          http.getResponse<Response>().setHeader(REPLAYED_HEADER, 'true');
          return stored.response ?? undefined;
        }
        const body: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
        await this.keys.complete(userId, key, body);
        return body;
      }),
    );
  }
}
