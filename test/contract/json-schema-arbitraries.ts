import fc from 'fast-check';
import { isValid, type JsonSchema } from './json-schema-validator.ts';

/**
 * fast-check arbitraries from the JSON Schemas in our OpenAPI documents: values a schema accepts
 * and values it refuses. No maintained JSON-Schema→fast-check library works with fast-check 4
 * (json-schema-fast-check needs fast-check 1, zod-fast-check needs fast-check < 4 and zod 3, and
 * reads zod, not the document), so this covers the subset zod and our metadata emit: type, enum,
 * const, anyOf, oneOf, allOf of `oneOf [{required}]` (exactly one of some members), properties,
 * required, items, min/maxLength, pattern, format, minimum, maximum, exclusiveMinimum, multipleOf.
 * Every value is checked against the schema by Ajv (json-schema-validator.ts) before it is used.
 */

/**
 * Values worth sending where the schema allows them: ids and emails that exist, and instants close
 * together, so answers are not all 404 or a statement period over its limit.
 */
export type Hints = { uuid: readonly string[]; email: readonly string[]; dateTime: readonly string[] };

type Schema = JsonSchema & {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
};

const NUMBER_SPAN = 1e6;
const STRING_LENGTH_MAX = 40;
const ARRAY_LENGTH_MAX = 3;
const BREAK_TRIES = 200;
const WRONG_TYPES: unknown[] = [null, true, 0, -1, 1.5, '', 'x', [], {}];

/** Values `schema` accepts. */
export function validValue(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  return candidate(schema as Schema, hints).filter((value) => isValid(schema, value));
}

/** Values `schema` refuses: wrong types, broken keywords, a missing or broken member. */
export function invalidValue(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  return fc.oneof(...breakers(schema as Schema, hints)).filter((value) => !isValid(schema, value));
}

/** Whether `invalidValue` can find anything: `{type: string}` accepts every string, so a header of it has nothing to break. */
export function isBreakable(schema: JsonSchema, hints: Hints): boolean {
  const tries = fc.sample(fc.oneof(...breakers(schema as Schema, hints)), { numRuns: BREAK_TRIES, seed: 1 });
  return tries.some((value) => !isValid(schema, value));
}

function candidate(schema: Schema, hints: Hints): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches && schema.type === undefined && schema.properties === undefined) {
    return fc.oneof(...branches.map((branch) => candidate(branch, hints)));
  }
  if (Array.isArray(schema.type)) {
    return fc.oneof(...schema.type.map((type) => candidate({ ...schema, type }, hints)));
  }
  switch (schema.type) {
    case 'string':
      return stringCandidate(schema, hints);
    case 'integer':
    case 'number':
      return numberCandidate(schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(candidate(schema.items ?? {}, hints), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? ARRAY_LENGTH_MAX, ARRAY_LENGTH_MAX),
      });
    case 'object':
      return objectCandidate(schema, hints);
    default:
      return fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
  }
}

function stringCandidate(schema: Schema, hints: Hints): fc.Arbitrary<string> {
  const known =
    { uuid: hints.uuid, email: hints.email, 'date-time': hints.dateTime }[schema.format ?? ''] ?? [];
  let generated: fc.Arbitrary<string>;
  if (schema.pattern) generated = fc.stringMatching(new RegExp(withoutLookarounds(schema.pattern), 'u'));
  else if (schema.format === 'uuid') generated = fc.uuid();
  else if (schema.format === 'date-time')
    generated = fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  else {
    generated = fc.string({
      minLength: schema.minLength ?? 0,
      maxLength: Math.min(
        schema.maxLength ?? STRING_LENGTH_MAX,
        Math.max(schema.minLength ?? 0, STRING_LENGTH_MAX),
      ),
    });
  }
  return known.length > 0
    ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 3 }, { arbitrary: generated, weight: 1 })
    : generated;
}

/**
 * fast-check cannot generate from lookarounds; without them the pattern accepts more, and the
 * Ajv filter in validValue keeps only what the whole pattern accepts. Our lookarounds hold no parentheses.
 */
function withoutLookarounds(pattern: string): string {
  return pattern.replace(/\(\?<?[=!][^()]*\)/g, '');
}

/** Integers and multiples of a step are drawn as whole steps, so 0.07 is 7 / 100, never 7 × 0.01. */
function numberCandidate(schema: Schema): fc.Arbitrary<number> {
  const step = schema.multipleOf ?? (schema.type === 'integer' ? 1 : undefined);
  if (step === undefined) {
    return fc.double({
      min: schema.exclusiveMinimum ?? schema.minimum ?? -NUMBER_SPAN,
      max: schema.exclusiveMaximum ?? schema.maximum ?? NUMBER_SPAN,
      minExcluded: schema.exclusiveMinimum !== undefined,
      maxExcluded: schema.exclusiveMaximum !== undefined,
      noNaN: true,
      noDefaultInfinity: true,
    });
  }
  const perUnit = step < 1 ? Math.round(1 / step) : 1;
  const stepsOf = (value: number) => value * perUnit;
  const low =
    schema.exclusiveMinimum !== undefined
      ? Math.floor(stepsOf(schema.exclusiveMinimum)) + 1
      : Math.ceil(stepsOf(schema.minimum ?? -NUMBER_SPAN));
  const high =
    schema.exclusiveMaximum !== undefined
      ? Math.ceil(stepsOf(schema.exclusiveMaximum)) - 1
      : Math.floor(stepsOf(schema.maximum ?? NUMBER_SPAN));
  const [min, max] = [Math.max(low, Number.MIN_SAFE_INTEGER), Math.min(high, Number.MAX_SAFE_INTEGER)];
  return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max)).map((steps) => steps / perUnit);
}

/** Groups of members of which exactly one must be present: `oneOf [{required: [a]}, {required: [b]}]`. */
function exclusiveGroups(schema: Schema): string[][][] {
  const oneOfs = [schema.oneOf, ...(schema.allOf ?? []).map((part) => part.oneOf)];
  return oneOfs
    .filter((group): group is Schema[] => Array.isArray(group))
    .filter((group) => group.every((branch) => Array.isArray(branch.required) && branch.type === undefined))
    .map((group) => group.map((branch) => branch.required ?? []));
}

function objectCandidate(schema: Schema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const names = Object.keys(properties);
  const required = new Set(schema.required ?? []);
  const groups = exclusiveGroups(schema);
  return fc
    .tuple(
      fc.record(Object.fromEntries(names.map((name) => [name, candidate(properties[name] ?? {}, hints)]))),
      fc.record(Object.fromEntries(names.map((name) => [name, fc.boolean()]))),
      fc.tuple(...groups.map((group) => fc.nat({ max: group.length - 1 }))),
    )
    .map(([values, wanted, picks]) => {
      const present = new Set(names.filter((name) => required.has(name) || wanted[name]));
      groups.forEach((group, index) => {
        group.forEach((members, branch) => {
          for (const name of members) {
            if (branch === picks[index]) present.add(name);
            else present.delete(name);
          }
        });
      });
      return Object.fromEntries([...present].map((name) => [name, values[name]]));
    });
}

function breakers(schema: Schema, hints: Hints): fc.Arbitrary<unknown>[] {
  const found: fc.Arbitrary<unknown>[] = [fc.constantFrom(...WRONG_TYPES)];
  for (const branch of schema.anyOf ?? schema.oneOf ?? []) found.push(...breakers(branch, hints));
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('string') || schema.enum) found.push(...stringBreakers(schema, hints));
  if (types.includes('integer') || types.includes('number')) found.push(...numberBreakers(schema));
  if (types.includes('object')) found.push(...objectBreakers(schema, hints));
  if (types.includes('array') && schema.items) {
    found.push(fc.array(invalidValue(schema.items, hints), { minLength: 1, maxLength: 2 }));
  }
  return found;
}

function stringBreakers(schema: Schema, hints: Hints): fc.Arbitrary<unknown>[] {
  const valid = schema.type === 'string' ? stringCandidate(schema, hints) : fc.string();
  const found: fc.Arbitrary<unknown>[] = [
    fc.string({ maxLength: STRING_LENGTH_MAX }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    // One character dropped, doubled or replaced: close to valid, the way real mistakes are.
    fc
      .tuple(valid, fc.nat(), fc.constantFrom('', ' ', '\u0000', 'é', '@', '.', '-', '0', 'A', '/'))
      .map(([text, at, insert]) => {
        const index = text.length === 0 ? 0 : at % text.length;
        return text.slice(0, index) + insert + text.slice(index + 1);
      }),
  ];
  if (schema.maxLength !== undefined) {
    const tooLong = schema.maxLength + 1;
    found.push(valid.map((text) => text.padEnd(tooLong, text.at(-1) ?? 'a').padEnd(tooLong, 'a')));
  }
  return found;
}

function numberBreakers(schema: Schema): fc.Arbitrary<unknown>[] {
  const valid = numberCandidate(schema);
  const step = schema.multipleOf ?? 1;
  const edges = [
    schema.exclusiveMinimum,
    schema.exclusiveMaximum,
    schema.minimum === undefined ? undefined : schema.minimum - step,
    schema.maximum === undefined ? undefined : schema.maximum + step,
  ].filter((edge): edge is number => edge !== undefined);
  const found: fc.Arbitrary<unknown>[] = [valid.map((value) => -value), valid.map((value) => String(value))];
  if (edges.length > 0) found.push(fc.constantFrom(...edges));
  if (schema.multipleOf !== undefined || schema.type === 'integer') {
    found.push(
      valid.map((value) => value + step / 2),
      valid.map((value) => value + step / 10),
    );
  }
  return found;
}

function objectBreakers(schema: Schema, hints: Hints): fc.Arbitrary<unknown>[] {
  const properties = schema.properties ?? {};
  const names = Object.keys(properties);
  const valid = objectCandidate(schema, hints);
  const found: fc.Arbitrary<unknown>[] = [];
  for (const name of schema.required ?? []) {
    found.push(valid.map(({ [name]: _left, ...rest }) => rest));
  }
  for (const name of names) {
    found.push(
      fc
        .tuple(valid, invalidValue(properties[name] ?? {}, hints))
        .map(([object, broken]) => ({ ...object, [name]: broken })),
    );
  }
  for (const group of exclusiveGroups(schema)) {
    const members = group.flat();
    // Every alternative at once, and none of them.
    found.push(
      fc
        .tuple(valid, fc.tuple(...members.map((name) => candidate(properties[name] ?? {}, hints))))
        .map(([object, values]) => ({
          ...object,
          ...Object.fromEntries(members.map((n, i) => [n, values[i]])),
        })),
      valid.map((object) => Object.fromEntries(Object.entries(object).filter(([n]) => !members.includes(n)))),
    );
  }
  return found;
}
