import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiDocument } from './openapi-document';

const SNAPSHOT = join(__dirname, '../../../libs/friends-client/openapi.json');

describe('OpenAPI document', () => {
  it('matches the snapshot the typed client (@app/friends-client) is generated from', async () => {
    const fromCode = JSON.parse(JSON.stringify(await generateOpenApiDocument())) as unknown;
    const committed = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as unknown;
    // On failure: `npm run build && node apps/friends/scripts/openapi.mjs`, and commit both
    // generated files of libs/friends-client.
    expect(fromCode).toEqual(committed);
  });

  it('documents every route with a summary, bearer auth and its error answers', async () => {
    const document = await generateOpenApiDocument();
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      (['get', 'post', 'delete'] as const)
        .filter((method) => item[method])
        .map((method) => ({ route: `${method.toUpperCase()} ${path}`, operation: item[method]! })),
    );
    expect(operations.map((o) => o.route).sort()).toEqual([
      'DELETE /v1/blocks/{userId}',
      'DELETE /v1/friends/{userId}',
      'GET /v1/blocks',
      'GET /v1/friends',
      'GET /v1/friends/requests',
      'POST /v1/blocks',
      'POST /v1/friends/requests',
      'POST /v1/friends/requests/{id}/accept',
      'POST /v1/friends/requests/{id}/decline',
    ]);
    for (const { route, operation } of operations) {
      expect({ route, summary: operation.summary }).toEqual({ route, summary: expect.any(String) });
      expect({ route, security: operation.security }).toEqual({
        route,
        security: [{ bearer: [] }],
      });
      const statuses = Object.keys(operation.responses);
      expect({ route, statuses }).toEqual({
        route,
        statuses: expect.arrayContaining(['400', '401']),
      });
      const errorSchemas = statuses
        .filter((s) => Number(s) >= 400)
        .map((s) => JSON.stringify(operation.responses[s]));
      for (const schema of errorSchemas) expect(schema).toContain('ErrorBodyDto');
    }
  });
});
