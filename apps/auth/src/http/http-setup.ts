import { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * The HTTP/JSON gateway's set-up: a small JSON body limit (auth's requests are a few
 * hundred bytes; a megabyte "password" is refused with 413 before it is even parsed), and
 * the OpenAPI document with Swagger UI at `/docs`, the JSON at `/docs-json`.
 */
export function configureHttp(app: INestApplication): void {
  (app as NestExpressApplication).useBodyParser('json', { limit: '16kb' });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('auth')
      .setDescription(
        'The HTTP/JSON gateway of `auth.v1.AuthService`: each route is one RPC with the same ' +
          'fields in camelCase. Errors are `{statusCode, code, message}` with a stable `code`; ' +
          'the status matches the gRPC status of the same failure (401 ↔ UNAUTHENTICATED, ' +
          '409 ↔ ALREADY_EXISTS, 429 ↔ RESOURCE_EXHAUSTED…).',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
