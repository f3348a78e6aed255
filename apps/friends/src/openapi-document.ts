import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { friendsConfigSchema } from './config/friends.config';
import { FriendsModule } from './friends.module';
import { buildOpenApiDocument } from './http-setup';

/**
 * friends' OpenAPI document, built from the code without a server, database or broker:
 * Nest's preview mode resolves the module graph but instantiates nothing, which is all the
 * Swagger scanner needs. The typed client (`@app/friends-client`) is generated from it.
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  // The defaults are enough: in preview mode nothing connects anywhere.
  const config = friendsConfigSchema.parse({});
  const app = await NestFactory.create(FriendsModule.register(config), {
    preview: true,
    logger: false,
  });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
