import type { HttpResult } from '../support/index.ts';
import { violations } from './json-schema-validator.ts';
import type { Operation } from './openapi-requests.ts';

const JSON_MEDIA = /^application\/(?:[\w.-]+\+)?json$/;
const NDJSON_MEDIA = 'application/x-ndjson';

/**
 * What is wrong with an answer by the document, or undefined. Its status must be listed by
 * itself (a `4XX` range tells a client nothing it can act on), its content type must be one the
 * document gives for that status, and its body must match that schema.
 */
export function responseMismatch(operation: Operation, response: HttpResult): string | undefined {
  const documented = operation.responses[String(response.status)];
  if (!documented) return `status ${response.status} is not documented`;
  const mediaType = (response.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  if (!documented.content) return response.text === '' ? undefined : `${response.status} documents no body`;
  const media = documented.content[mediaType];
  if (!media) return `content type ${mediaType} is not documented for ${response.status}`;
  if (!media.schema) return undefined;
  const schema = media.schema;
  const values = bodyValues(mediaType, response);
  for (const value of values) {
    const wrong = violations(schema, value);
    if (wrong.length > 0) return `${response.status} body breaks its schema: ${wrong.join('; ')}`;
  }
  return undefined;
}

function bodyValues(mediaType: string, response: HttpResult): unknown[] {
  if (JSON_MEDIA.test(mediaType)) return [response.json];
  if (mediaType === NDJSON_MEDIA) {
    return response.text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as unknown);
  }
  return [response.text];
}
