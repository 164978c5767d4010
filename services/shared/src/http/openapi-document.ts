import { documentErrorStatuses } from './openapi-error-responses.ts';
import { PROBLEM_CONTENT_TYPE } from './problem.ts';

type MediaTypes = Record<string, { schema?: unknown }>;
type Operation = {
  security?: unknown[];
  parameters?: Array<{ in: string }>;
  requestBody?: { required?: boolean; content?: MediaTypes };
  responses?: Record<string, { content?: MediaTypes }>;
};
type OpenApiDocument = { paths?: Record<string, Record<string, Operation>> };

/**
 * Says in /openapi.json what the services really do, where @fastify/swagger cannot tell from the
 * route schemas: an error response (4xx, 5xx) is application/problem+json (problem.ts sends every
 * one of them so), a body whose schema accepts null may be left out (GET /getBalance), and each
 * error status an operation can give is listed by itself (openapi-error-responses.ts).
 */
export function polishOpenApiDocument<D extends object>(document: D): D {
  for (const operations of Object.values((document as OpenApiDocument).paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      documentErrorStatuses(method, operation);
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (/^[45]/.test(status)) response.content = asProblem(response.content);
      }
      const body = operation.requestBody;
      if (body && Object.values(body.content ?? {}).some((media) => acceptsNull(media.schema))) {
        body.required = false;
      }
    }
  }
  return document;
}

function asProblem(content: MediaTypes | undefined): MediaTypes | undefined {
  const schema = content?.['application/json']?.schema;
  return schema === undefined ? content : { [PROBLEM_CONTENT_TYPE]: { schema } };
}

function acceptsNull(schema: unknown): boolean {
  const { type, anyOf, oneOf } = (schema ?? {}) as { type?: unknown; anyOf?: unknown[]; oneOf?: unknown[] };
  if (type === 'null' || (Array.isArray(type) && type.includes('null'))) return true;
  return [...(anyOf ?? []), ...(oneOf ?? [])].some(acceptsNull);
}
