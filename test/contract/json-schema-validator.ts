import { Ajv2020 } from 'ajv/dist/2020.js';

/** JSON Schema 2020-12 as our OpenAPI 3.1 documents hold it: plain objects, no $ref. */
export type JsonSchema = Record<string, unknown>;

/**
 * The test's judge of "valid per the document": a full 2020-12 validator (Ajv), not our generator,
 * so a generator mistake can only waste a run, never turn a wrong answer into a pass.
 * `format` is an annotation, as 2020-12 makes it by default: every rule must be in a keyword that
 * asserts (pattern, maxLength …), which is what a generated client checks. multipleOf gets a tolerance of 1e-4 of a step because
 * JSON Schema means exact decimals while Ajv divides doubles (0.07 / 0.01 = 7.000000000000001); no
 * amount the test sends lies closer than 0.1 step to a multiple without being one.
 */
const ajv = new Ajv2020({ strict: false, validateFormats: false, multipleOfPrecision: 4 });

const compiled = new WeakMap<JsonSchema, (value: unknown) => boolean>();

export function isValid(schema: JsonSchema, value: unknown): boolean {
  let validate = compiled.get(schema);
  if (!validate) {
    const check = ajv.compile(schema);
    validate = (candidate) => check(candidate) === true;
    compiled.set(schema, validate);
  }
  return validate(value);
}

/** What Ajv says is wrong, for failure messages. */
export function violations(schema: JsonSchema, value: unknown): string[] {
  const check = ajv.compile(schema);
  if (check(value)) return [];
  return (check.errors ?? []).map((error) => `${error.instancePath || '$'} ${error.message ?? 'invalid'}`);
}
