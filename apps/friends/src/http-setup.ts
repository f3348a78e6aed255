import { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';

/**
 * The public REST surface's set-up: a JSON body limit (a friends API never needs more
 * than a few hundred bytes, so anything bigger is refused with 413 before it is parsed),
 * ETags on GETs, and the OpenAPI document with Swagger UI at `/docs` and the JSON at
 * `/docs-json`.
 */
export function configureHttp(app: INestApplication, options: { bodyLimit: string }): void {
  const express = app as NestExpressApplication;
  // Registered before Nest's own parsers; Nest then skips its default (100 kB) JSON parser.
  express.useBodyParser('json', { limit: options.bodyLimit });
  // An oversized body is answered 413 COMMON.PAYLOAD_TOO_LARGE by the platform's filter.

  // Conditional GETs: Express tags every JSON answer with an ETag of its body and answers
  // 304 when If-None-Match matches. Strong tags, because the same bytes are the same list.
  // The answers depend on the token, so caches must keep them private and revalidate.
  express.set('etag', 'strong');
  express.use('/v1', (request: Request, response: Response, next: NextFunction) => {
    if (request.method === 'GET') {
      response.setHeader('Cache-Control', 'private, no-cache');
      response.vary('Authorization');
    }
    next();
  });

  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}

/**
 * The OpenAPI document of the app's routes. Also run without a server by
 * `apps/friends/scripts/openapi.ts`, which writes the snapshot the typed client is
 * generated from.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('friends')
      .setDescription(
        'Friend requests, friendships and blocks of the messenger. Errors are ' +
          '`{statusCode, code, message}` with a stable `code`; lists are keyset-paginated with ' +
          '`?limit=&cursor=` and answer `{items, nextCursor}`; GETs carry an `ETag` ' +
          '(send `If-None-Match` for a 304); POSTs honour `Idempotency-Key`.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
}
