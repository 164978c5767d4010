import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpApp, registeredRoutes } from '../../services/shared/src/http/create-http-app.ts';
import { type BothServices, call, startBothServices } from '../support/index.ts';

type Operation = {
  security?: Array<Record<string, string[]>>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
  parameters?: Array<{ in: string; name: string; schema?: unknown }>;
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};
type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
};

/** What every problem+json document carries (shared/src/http/problem.ts). */
const PROBLEM_MEMBERS = ['type', 'title', 'status', 'code'];

/** Operations that need no token; everything else must say it takes the bearer scheme. */
const PUBLIC_OPERATIONS = new Set(['get /healthz', 'get /readyz']);
const PATH_PARAMETER = /:(\w+)/g;

describe('OpenAPI 3.1 documents of both services', () => {
  let services: BothServices;

  beforeAll(async () => {
    services = await startBothServices('ops_openapi');
  });

  afterAll(async () => {
    await services?.stop();
  });

  const both = () =>
    [
      ['user-service', services.users],
      ['transactions-service', services.transactions],
    ] as const;

  async function fetchDocument(url: string): Promise<OpenApiDocument> {
    const response = await call(url, 'GET', '/openapi.json', { headers: { authorization: '' } });
    expect(response.status).toBe(200);
    return response.json as OpenApiDocument;
  }

  it('Given each running service, When its /openapi.json is validated against the OpenAPI 3.1 schema, Then it is valid', async () => {
    for (const [name, service] of both()) {
      // Given
      const document = await fetchDocument(service.url);

      // When
      const validator = new Validator();
      const result = await validator.validate(document as unknown as Record<string, unknown>);

      // Then
      expect(document.openapi, name).toMatch(/^3\.1\./);
      expect(result.errors, name).toBeUndefined();
      expect(result.valid, name).toBe(true);
      expect(document.components?.securitySchemes?.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    }
  });

  it('Given the routes each app registered, When compared with its document, Then every route that is not hidden is documented, and nothing else', async () => {
    for (const [name, service] of both()) {
      // Given
      const routes = visibleRoutes(service.app);
      const document = await fetchDocument(service.url);

      // When
      const documented = Object.entries(document.paths).flatMap(([url, methods]) =>
        Object.keys(methods).map((method) => `${method} ${url}`),
      );

      // Then
      expect(routes.length, name).toBeGreaterThan(4);
      expect(documented.sort(), name).toEqual(routes.sort());
    }
  });

  it('Given each documented operation, When read, Then it has a success response schema, its inputs, and the bearer scheme unless public', async () => {
    for (const [name, service] of both()) {
      const document = await fetchDocument(service.url);
      for (const [url, methods] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(methods)) {
          const where = `${name} ${method} ${url}`;
          const success = Object.entries(operation.responses ?? {}).find(([status]) =>
            status.startsWith('2'),
          );
          expect(success?.[1].content?.['application/json']?.schema, `${where} success schema`).toBeDefined();
          if (method === 'post') {
            expect(
              operation.requestBody?.content?.['application/json']?.schema,
              `${where} body`,
            ).toBeDefined();
          }
          for (const parameter of url.matchAll(/\{(\w+)\}/g)) {
            const declared = operation.parameters?.find((p) => p.in === 'path' && p.name === parameter[1]);
            expect(declared?.schema, `${where} path parameter ${parameter[1]}`).toBeDefined();
          }
          const isPublic = PUBLIC_OPERATIONS.has(`${method} ${url}`);
          expect(operation.security, where).toEqual(isPublic ? undefined : [{ bearer: [] }]);
          if (!isPublic)
            expect(operation.responses?.['4XX'] ?? operation.responses?.['401'], where).toBeDefined();
        }
      }
    }
  });

  it('Given each documented error response, When read, Then it is application/problem+json with the problem schema, never application/json', async () => {
    let errorResponses = 0;
    for (const [name, service] of both()) {
      const document = await fetchDocument(service.url);
      for (const [url, methods] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(methods)) {
          for (const [status, response] of Object.entries(operation.responses ?? {})) {
            if (!/^[45]/.test(status)) continue;
            // Then
            const where = `${name} ${method} ${url} ${status}`;
            errorResponses++;
            expect(Object.keys(response.content ?? {}), where).toEqual(['application/problem+json']);
            const schema = response.content?.['application/problem+json']?.schema as {
              properties?: Record<string, unknown>;
              required?: string[];
            };
            expect(Object.keys(schema?.properties ?? {}), where).toEqual(
              expect.arrayContaining(PROBLEM_MEMBERS),
            );
            expect(schema?.required, where).toEqual(expect.arrayContaining(PROBLEM_MEMBERS));
          }
        }
      }
    }
    expect(errorResponses).toBeGreaterThan(10);
  });

  it('Given getBalance, whose JSON body may be left out (?email= instead), When its document is read, Then the body is optional', async () => {
    // When
    const document = await fetchDocument(services.users.url);
    const getBalance = document.paths['/getBalance']?.get;

    // Then
    expect(getBalance?.requestBody?.content?.['application/json']?.schema).toBeDefined();
    expect(getBalance?.requestBody?.required).not.toBe(true);
    // Bodies that must be there still say so.
    expect(document.paths['/createUser']?.post?.requestBody?.required).toBe(true);
  });

  it('Given each running service, When /docs is opened, Then the UI page is served without a token', async () => {
    for (const [name, service] of both()) {
      const page = await call(service.url, 'GET', '/docs/', { headers: { authorization: '' } });
      expect(page.status, name).toBe(200);
      expect(page.headers['content-type'], name).toContain('text/html');
    }
  });
});

/** `get /wallets/{user_id}` for every registered route a client is meant to see. */
function visibleRoutes(app: HttpApp): string[] {
  return registeredRoutes(app)
    .filter((route) => !route.hidden)
    .map((route) => `${route.method.toLowerCase()} ${route.url.replace(PATH_PARAMETER, '{$1}')}`);
}
