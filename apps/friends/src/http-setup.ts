import { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * The public REST surface's set-up: a JSON body limit (a friends API never needs more
 * than a few hundred bytes, so anything bigger is refused with 413 before it is parsed)
 * and the OpenAPI document with Swagger UI at `/docs` and the JSON at `/docs-json`.
 */
export function configureHttp(app: INestApplication, options: { bodyLimit: string }): void {
  // Registered before Nest's own parsers; Nest then skips its default (100 kB) JSON parser.
  (app as NestExpressApplication).useBodyParser('json', { limit: options.bodyLimit });
  // An oversized body is answered 413 COMMON.PAYLOAD_TOO_LARGE by the platform's filter.

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('friends')
      .setDescription(
        'Friend requests and friendships of the messenger. Errors are `{statusCode, code, message}` ' +
          'with a stable `code`; lists are keyset-paginated with `?limit=&cursor=`.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
