import fc from 'fast-check';
import { type Hints, invalidValue, isBreakable, validValue } from './json-schema-arbitraries.ts';
import { isValid, type JsonSchema } from './json-schema-validator.ts';

export type MediaTypes = Record<string, { schema?: JsonSchema }>;
export type Parameter = {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: JsonSchema;
};
export type Operation = {
  method: 'get' | 'post';
  path: string;
  parameters: Parameter[];
  body?: { required: boolean; schema: JsonSchema };
  responses: Record<string, { content?: MediaTypes }>;
};
type DocumentOperation = {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: MediaTypes };
  responses?: Record<string, { content?: MediaTypes }>;
};
export type OpenApiDocument = { paths: Record<string, Record<string, DocumentOperation>> };

/** A request as the document describes it; `body` undefined sends none. `broken` names what was made invalid. */
export type GeneratedRequest = {
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
  broken?: string;
};

/** Fastify's default maxParamLength: a longer path segment is 414 before any route runs. */
const PATH_PARAMETER_LENGTH_MAX = 100;
const TEXT_BREAK_TRIES = 300;
/** What an HTTP client can put in a header value and have it arrive unchanged (no edge whitespace). */
const HEADER_VALUE_TEXT = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;

export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
      return {
        method: method as Operation['method'],
        path,
        parameters: operation.parameters ?? [],
        responses: operation.responses ?? {},
        ...(bodySchema
          ? { body: { required: operation.requestBody?.required === true, schema: bodySchema } }
          : {}),
      };
    }),
  );
}

/**
 * A parameter's text as the value its schema judges. OpenAPI leaves open how text becomes a
 * number; the services read it as JavaScript's Number() does (zod's coerce: " 12", "+12", "0x0c"
 * and "1.2e1" are all 12), so that is the reading here. Blank text is no number.
 */
export function parameterValue(schema: JsonSchema, text: string): unknown {
  if (!acceptsNumbers(schema) || text.trim() === '') return text;
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}

function acceptsNumbers(schema: JsonSchema): boolean {
  const { type, anyOf, oneOf } = schema as { type?: unknown; anyOf?: JsonSchema[]; oneOf?: JsonSchema[] };
  const types = [type].flat();
  if (types.includes('integer') || types.includes('number')) return true;
  return [...(anyOf ?? []), ...(oneOf ?? [])].some(acceptsNumbers);
}

function sendable(parameter: Parameter, text: string): boolean {
  if (!text.isWellFormed()) return false;
  if (parameter.in === 'header') return HEADER_VALUE_TEXT.test(text);
  if (parameter.in === 'path') {
    return (
      text !== '' &&
      text !== '.' &&
      text !== '..' &&
      encodeURIComponent(text).length <= PATH_PARAMETER_LENGTH_MAX
    );
  }
  return true;
}

function validText(parameter: Parameter, hints: Hints): fc.Arbitrary<string> {
  return validValue(parameter.schema, hints)
    .map((value) => String(value))
    .filter(
      (text) =>
        sendable(parameter, text) && isValid(parameter.schema, parameterValue(parameter.schema, text)),
    );
}

/** Text candidates, some of which the schema refuses: a parameter is text, so `null` would arrive as "null". */
function textCandidates(parameter: Parameter, hints: Hints): fc.Arbitrary<string> {
  const broken = isBreakable(parameter.schema, hints)
    ? [
        invalidValue(parameter.schema, hints)
          .filter((value) => typeof value === 'string' || typeof value === 'number')
          .map((value) => String(value)),
      ]
    : [];
  // A valid text written another way: padded, signed, in hex, with a NUL.
  const respelled = validText(parameter, hints).chain((text) =>
    fc.constantFrom(` ${text}`, `${text} `, `+${text}`, `0x${Number(text).toString(16)}`, `${text}\u0000`),
  );
  return fc.oneof(
    ...broken,
    respelled,
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
  );
}

function isInvalidText(parameter: Parameter, text: string): boolean {
  return sendable(parameter, text) && !isValid(parameter.schema, parameterValue(parameter.schema, text));
}

/** `{type: string}` takes every text, so an Idempotency-Key without a pattern has nothing to break. */
function isTextBreakable(parameter: Parameter, hints: Hints): boolean {
  const tries = fc.sample(textCandidates(parameter, hints), { numRuns: TEXT_BREAK_TRIES, seed: 1 });
  return tries.some((text) => isInvalidText(parameter, text));
}

function invalidText(parameter: Parameter, hints: Hints): fc.Arbitrary<string> {
  return textCandidates(parameter, hints).filter((text) => isInvalidText(parameter, text));
}

/**
 * Every part valid; optional parameters and an optional body sometimes left out, the `opaque`
 * ones always: only the service can issue a valid cursor, and any other is refused.
 */
export function validRequest(
  operation: Operation,
  hints: Hints,
  opaque: ReadonlySet<string>,
): fc.Arbitrary<GeneratedRequest> {
  const parts = Object.fromEntries(
    operation.parameters
      .filter((parameter) => !opaque.has(parameter.name))
      .map((parameter) => {
        const text = validText(parameter, hints);
        return [
          `${parameter.in}:${parameter.name}`,
          parameter.required ? text : fc.option(text, { nil: undefined }),
        ];
      }),
  );
  const body = operation.body
    ? operation.body.required
      ? validValue(operation.body.schema, hints)
      : fc.option(validValue(operation.body.schema, hints), { nil: undefined })
    : fc.constant(undefined);
  return fc.tuple(fc.record(parts), body).map(([texts, value]) => assemble(operation, texts, value));
}

/**
 * Exactly one part broken: a parameter's text, a required parameter left out, the body, or a
 * required body left out; the other parts as in validRequest.
 */
export function invalidRequest(
  operation: Operation,
  hints: Hints,
  opaque: ReadonlySet<string>,
): fc.Arbitrary<GeneratedRequest> | undefined {
  const breaks: fc.Arbitrary<GeneratedRequest>[] = [];
  const valid = validRequest(operation, hints, opaque);
  for (const parameter of operation.parameters) {
    const key = `${parameter.in}:${parameter.name}`;
    if (isTextBreakable(parameter, hints))
      breaks.push(
        fc
          .tuple(valid, invalidText(parameter, hints))
          .map(([request, text]) =>
            withPart(operation, request, parameter, text, `${key} = ${JSON.stringify(text)}`),
          ),
      );
    if (parameter.required && parameter.in !== 'path') {
      breaks.push(
        valid.map((request) => withPart(operation, request, parameter, undefined, `${key} left out`)),
      );
    }
  }
  if (operation.body && isBreakable(operation.body.schema, hints)) {
    const body = operation.body;
    breaks.push(
      fc.tuple(valid, invalidValue(body.schema, hints)).map(([request, value]) => ({
        ...request,
        body: value,
        broken: `body = ${JSON.stringify(value)?.slice(0, 200)}`,
      })),
    );
    if (body.required)
      breaks.push(valid.map((request) => ({ ...request, body: undefined, broken: 'body left out' })));
  }
  // An operation without inputs (GET /healthz) has nothing to break.
  return breaks.length > 0 ? fc.oneof(...breaks) : undefined;
}

function assemble(
  operation: Operation,
  texts: Record<string, string | undefined>,
  body: unknown,
): GeneratedRequest {
  const request: GeneratedRequest = { path: operation.path, query: {}, headers: {}, body };
  for (const parameter of operation.parameters) {
    const text = texts[`${parameter.in}:${parameter.name}`];
    if (text !== undefined) place(request, parameter, text);
  }
  return request;
}

function withPart(
  operation: Operation,
  request: GeneratedRequest,
  parameter: Parameter,
  text: string | undefined,
  broken: string,
): GeneratedRequest {
  const changed: GeneratedRequest = {
    ...request,
    path: operation.path,
    query: { ...request.query },
    headers: { ...request.headers },
    broken,
  };
  delete changed.query[parameter.name];
  delete changed.headers[parameter.name];
  // The path is rebuilt from the template, so re-place every path parameter of the valid request.
  for (const other of operation.parameters.filter((p) => p.in === 'path' && p.name !== parameter.name)) {
    const match = request.path.split('/')[operation.path.split('/').indexOf(`{${other.name}}`)];
    if (match !== undefined) place(changed, other, decodeURIComponent(match));
  }
  if (text !== undefined) place(changed, parameter, text);
  return changed;
}

function place(request: GeneratedRequest, parameter: Parameter, text: string): void {
  if (parameter.in === 'path')
    request.path = request.path.replace(`{${parameter.name}}`, encodeURIComponent(text));
  else if (parameter.in === 'query') request.query[parameter.name] = text;
  else request.headers[parameter.name] = text;
}

export function requestUrl(request: GeneratedRequest): string {
  const query = new URLSearchParams(request.query).toString();
  return query ? `${request.path}?${query}` : request.path;
}
