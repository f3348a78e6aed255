import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCodes } from '@app/contracts';
import { HttpStatus, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where `npm run build` puts the bundled IDE (scripts/build-graphiql.ts): beside the
 * compiled service, `<build>/apps/profile/public/graphiql`, so a build folder or an image
 * carries it with the code. From the sources (unit tests) there is none.
 */
export const GRAPHQL_IDE_DIR = join(__dirname, '..', '..', 'public', 'graphiql');

/** Where the page's scripts, styles, fonts and workers are served (its Vite `base`). */
export const GRAPHQL_IDE_ASSETS_PATH = '/graphql/assets/';

/** GraphiQL as built from apps/profile/graphiql: the page and the folder of its assets. */
export interface GraphqlIde {
  html: string;
  assetsDir: string;
}

/** The IDE bundled into `dir`, or undefined when this build has none. */
export function loadGraphqlIde(dir: string = GRAPHQL_IDE_DIR): GraphqlIde | undefined {
  let html: string;
  try {
    html = readFileSync(join(dir, 'index.html'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { html, assetsDir: join(dir, 'assets') };
}

/**
 * Apollo's landing-page hook serving the IDE: Apollo answers `GET /graphql` with it when the
 * client prefers HTML (a browser), and runs the operation otherwise, as it did for its own
 * Sandbox — which loaded from Apollo's CDNs and so needed the internet.
 */
export function graphqlIdeLandingPage(ide: GraphqlIde): ApolloServerPlugin {
  return {
    serverWillStart() {
      return Promise.resolve({ renderLandingPage: () => Promise.resolve({ html: ide.html }) });
    },
  };
}

/**
 * Serves the page's assets under {@link GRAPHQL_IDE_ASSETS_PATH}. Registered before the
 * GraphQL middleware, which would otherwise take `/graphql/*` as operations. File names
 * carry a content hash, so they are cached for good; any other path there is a 404.
 */
export function serveGraphqlIdeAssets(app: INestApplication, ide: GraphqlIde): void {
  const express = app as NestExpressApplication;
  express.useStaticAssets(ide.assetsDir, {
    prefix: GRAPHQL_IDE_ASSETS_PATH,
    index: false,
    redirect: false,
    immutable: true,
    maxAge: '365d',
  });
  express.use(GRAPHQL_IDE_ASSETS_PATH, (_request: unknown, response: Response) => {
    response.status(HttpStatus.NOT_FOUND).json({
      statusCode: HttpStatus.NOT_FOUND,
      code: ErrorCodes.NOT_FOUND,
      message: 'No such asset of the GraphQL IDE',
    });
  });
}
