/**
 * The request collection (requests/*.http) against the contracts it exercises, so it cannot
 * rot silently: every request goes through the gateway to a route auth's or friends' OpenAPI
 * document has (both built from the code, as their Swagger UIs are), with the query
 * parameters, headers and body fields that route documents; every GraphQL operation
 * validates against profile's committed schema; every `{{variable}}` is defined; and every
 * socket.io event its comments name is one of messenger's (libs/contracts SocketApi).
 */
import { SocketApi } from '@app/contracts';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { buildSchema, parse, validate } from 'graphql';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AuthModule } from '../../apps/auth/src/auth.module';
import { authConfigSchema } from '../../apps/auth/src/config/auth.config';
import { generateOpenApiDocument as friendsDocument } from '../../apps/friends/src/openapi-document';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DIR = path.join(REPO_ROOT, 'requests');
const GATEWAY = 'http://127.0.0.1:8080';
/** Headers every route takes without documenting them. */
const STANDARD_HEADERS = ['authorization', 'content-type', 'accept'];

interface HttpRequest {
  /** The `### …` line that opens the request, for failure messages. */
  title: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

interface HttpFile {
  name: string;
  text: string;
  variables: Map<string, string>;
  /** `# @name x` of the requests: their answers are variables too (`{{x.response…}}`). */
  names: Set<string>;
  requests: HttpRequest[];
}

/** An .http file as REST Client and JetBrains' HTTP Client read it. */
function parseHttpFile(name: string): HttpFile {
  const text = readFileSync(path.join(DIR, name), 'utf8');
  const variables = new Map<string, string>();
  const names = new Set<string>();
  const requests: HttpRequest[] = [];
  for (const block of text.split(/^###/m)) {
    const lines = block.split('\n');
    const title = lines[0].trim();
    let request: HttpRequest | undefined;
    let inBody = false;
    for (const line of lines.slice(1)) {
      if (inBody) {
        request!.body += `${line}\n`;
        continue;
      }
      const variable = /^@(\w+)\s*=\s*(.*)$/.exec(line);
      const requestName = /^#\s*@name\s+(\w+)/.exec(line);
      if (requestName) names.add(requestName[1]);
      if (variable) variables.set(variable[1], variable[2].trim());
      if (variable || /^\s*(#|\/\/)/.test(line)) continue;
      if (!request) {
        if (!line.trim()) continue;
        const [method, url] = line.trim().split(/\s+/);
        request = { title, method, url, headers: {}, body: '' };
      } else if (!line.trim()) {
        inBody = true;
      } else {
        const [header, ...value] = line.split(':');
        request.headers[header.trim().toLowerCase()] = value.join(':').trim();
      }
    }
    if (request) requests.push({ ...request, body: request.body.trim() });
  }
  return { name, text, variables, names, requests };
}

/** Whether a concrete path (`{{x}}` standing for any segment) fits an OpenAPI path. */
function pathMatches(template: string, actual: string): boolean {
  const pattern = template
    .split('/')
    .map((segment) =>
      /^\{\w+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${pattern}$`).test(actual);
}

type Operation = OpenAPIObject['paths'][string]['get'] & object;
type SchemaObject = { properties?: Record<string, unknown>; required?: string[] };

/** The document's operation for `method path`, if it has one. */
function operationOf(document: OpenAPIObject, method: string, actual: string) {
  for (const [template, item] of Object.entries(document.paths)) {
    const operation = (item as Record<string, Operation | undefined>)[method.toLowerCase()];
    if (operation && pathMatches(template, actual)) return { template, operation };
  }
  return undefined;
}

/** The JSON schema of an operation's request body, `$ref`s resolved. */
function bodySchema(document: OpenAPIObject, operation: Operation): SchemaObject | undefined {
  const body = operation.requestBody as
    { content?: Record<string, { schema?: { $ref?: string } & SchemaObject }> } | undefined;
  const schema = body?.content?.['application/json']?.schema;
  if (!schema?.$ref) return schema;
  const name = schema.$ref.split('/').pop()!;
  return document.components?.schemas?.[name] as SchemaObject;
}

const files = readdirSync(DIR)
  .filter((name) => name.endsWith('.http'))
  .sort()
  .map(parseHttpFile);

describe('the request collection (requests/*.http)', () => {
  const documents: Record<'auth' | 'friends', OpenAPIObject> = {} as never;
  const profileSchema = buildSchema(
    readFileSync(path.join(REPO_ROOT, 'apps/profile/schema.gql'), 'utf8'),
  );

  beforeAll(async () => {
    // auth's document as its Swagger UI serves it: Nest's preview mode scans the routes
    // without connecting anywhere.
    const app = await NestFactory.create(AuthModule.register(authConfigSchema.parse({})), {
      preview: true,
      logger: false,
    });
    try {
      documents.auth = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    } finally {
      await app.close();
    }
    documents.friends = await friendsDocument();
  });

  it('has files, each with requests', () => {
    expect(files.map((f) => f.name).length).toBeGreaterThanOrEqual(3);
    for (const file of files)
      expect({ [file.name]: file.requests.length > 0 }).toEqual({
        [file.name]: true,
      });
  });

  it.each(files.map((file) => [file.name, file] as const))(
    '%s goes through the gateway and defines every variable it uses',
    (_name, file) => {
      expect(file.variables.get('gateway')).toBe(GATEWAY);
      for (const request of file.requests) {
        expect({ request: request.title, url: request.url }).toEqual({
          request: request.title,
          url: expect.stringMatching(/^\{\{gateway\}\}\//) as unknown,
        });
      }
      const used = [...file.text.matchAll(/\{\{\s*([\w$]+)[^}]*\}\}/g)].map(([, name]) => name);
      const undefinedNames = used.filter(
        (name) => !file.variables.has(name) && !file.names.has(name) && !name.startsWith('$'),
      );
      expect(undefinedNames).toEqual([]);
    },
  );

  const requests = files.flatMap((file) =>
    file.requests.map((request) => [`${file.name}: ${request.title}`, request] as const),
  );

  it.each(requests)('%s is a route of the contract, as documented', (_title, request) => {
    const url = new URL(request.url.replace('{{gateway}}', GATEWAY));
    const actual = decodeURIComponent(url.pathname);

    if (actual === '/graphql') {
      expect(request.method).toBe('POST');
      const { query } = JSON.parse(request.body) as { query: string };
      expect(validate(profileSchema, parse(query)).map((e) => e.message)).toEqual([]);
      return;
    }

    const found = (['auth', 'friends'] as const)
      .map((service) => ({
        document: documents[service],
        match: operationOf(documents[service], request.method, actual),
      }))
      .find(({ match }) => match);
    expect({ route: `${request.method} ${actual}`, documented: Boolean(found) }).toEqual({
      route: `${request.method} ${actual}`,
      documented: true,
    });
    const { document, match } = found!;
    const parameters = (match!.operation.parameters ?? []) as Array<{ in: string; name: string }>;
    const documented = (where: string) =>
      parameters.filter((p) => p.in === where).map((p) => p.name.toLowerCase());

    const query = [...url.searchParams.keys()].map((key) => key.toLowerCase());
    expect(query.filter((key) => !documented('query').includes(key))).toEqual([]);
    const headers = Object.keys(request.headers).filter((h) => !STANDARD_HEADERS.includes(h));
    expect(headers.filter((header) => !documented('header').includes(header))).toEqual([]);

    const schema = bodySchema(document, match!.operation);
    if (!request.body) {
      expect(schema?.required ?? []).toEqual([]);
      return;
    }
    const fields = Object.keys(JSON.parse(request.body) as object);
    expect(fields.filter((field) => !(field in (schema?.properties ?? {})))).toEqual([]);
    expect((schema?.required ?? []).filter((field) => !fields.includes(field))).toEqual([]);
  });

  it('names only socket.io events messenger has', () => {
    const known = new Set<string>([
      ...SocketApi.CLIENT_EVENT_NAMES,
      ...Object.keys(SocketApi.ServerEventSchemas),
    ]);
    const named = files.flatMap((file) =>
      [...file.text.matchAll(/'([a-z]+(?::[a-z]+)+|typing|presence)'/g)].map(([, event]) => event),
    );
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((event) => !known.has(event))).toEqual([]);
  });
});
