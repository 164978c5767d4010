/** The part of JSON Schema 2020-12 our OpenAPI documents use (zod's output), enough to check an answer. */
export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
};

const DEPTH_MAX = 20;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * Where `value` breaks `schema`, as `path: what` lines ([] when it conforms). Unknown keywords
 * are ignored, so a schema with more in it is checked for what this knows.
 */
export function schemaViolations(schema: JsonSchema, value: unknown, path = '$', depth = 0): string[] {
  if (depth > DEPTH_MAX) return [`${path}: nested deeper than ${DEPTH_MAX}`];
  if (schema.anyOf) {
    const fits = schema.anyOf.some((option) => schemaViolations(option, value, path, depth + 1).length === 0);
    return fits ? [] : [`${path}: matches none of anyOf (${JSON.stringify(value)?.slice(0, 80)})`];
  }
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
    const fits = allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
    if (!fits) return [`${path}: ${actual} where ${allowed.join(' or ')} is documented`];
  }
  const found: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) found.push(`${path}: ${String(value)} not in the enum`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value))
      found.push(`${path}: breaks its pattern`);
    if (schema.minLength !== undefined && value.length < schema.minLength) found.push(`${path}: too short`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) found.push(`${path}: too long`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) found.push(`${path}: below its minimum`);
    if (schema.maximum !== undefined && value > schema.maximum) found.push(`${path}: above its maximum`);
  }
  if (actual === 'array' && schema.items) {
    (value as unknown[]).forEach((item, index) => {
      found.push(...schemaViolations(schema.items as JsonSchema, item, `${path}[${index}]`, depth + 1));
    });
  }
  if (actual === 'object')
    found.push(...objectViolations(schema, value as Record<string, unknown>, path, depth));
  return found;
}

function objectViolations(
  schema: JsonSchema,
  value: Record<string, unknown>,
  path: string,
  depth: number,
): string[] {
  const found: string[] = [];
  for (const name of schema.required ?? []) {
    if (!(name in value)) found.push(`${path}.${name}: required but missing`);
  }
  for (const [name, member] of Object.entries(value)) {
    const property = schema.properties?.[name];
    if (property) found.push(...schemaViolations(property, member, `${path}.${name}`, depth + 1));
    else if (schema.additionalProperties === false) found.push(`${path}.${name}: not documented`);
  }
  return found;
}
