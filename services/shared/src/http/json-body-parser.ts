import { errorCodes, type FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

/**
 * What JSON.parse hands a reviver besides key and value (TC39 "JSON.parse source text access",
 * in V8 since Node 21): for a primitive, its text exactly as the client wrote it.
 */
type ReviverContext = { source?: string };

/** RFC 8259 number grammar, in parts: sign, whole digits, fraction digits, exponent. */
const JSON_NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const BYTE_ORDER_MARK = 0xfeff;

// Without source text a rounded amount would pass for an exact one; refuse to start rather than
// run on a Node whose JSON.parse cannot show it.
const sourceSeen = JSON.parse('0.10', (_key, value, context?: ReviverContext) => context?.source ?? value);
if (sourceSeen !== '0.10') {
  throw new Error('JSON.parse does not give revivers the source text (Node 22 or later is needed)');
}

/**
 * Replaces Fastify's JSON body parser with one that keeps what a double cannot hold. A JSON number
 * whose double names exactly the decimal written (10, 10.50, 1.5e1, 100.000) arrives as that
 * number; one the double rounded (10.00000000000000001, 123456789012345678901) arrives as its
 * source text, so money.ts parseAmount judges what was written, and a field that takes only
 * numbers refuses it instead of reading a rounded value. Prototype keys stay refused and a byte
 * order mark is skipped, as Fastify's own parser (secure-json-parse) does. One JSON.parse pass.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.length === 0) {
      done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
      return;
    }
    try {
      done(null, parseJsonBody(text));
    } catch (error) {
      // Reviving recurses once per level; a body nested thousands deep runs out of stack.
      const refusal =
        error instanceof RangeError
          ? new AppError('VALIDATION_FAILED', 'the JSON body is nested too deeply')
          : new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
      done(refusal, undefined);
    }
  });
}

/** JSON text to a value, numbers a double would round kept as their source text; throws on bad JSON. */
export function parseJsonBody(text: string): unknown {
  const json = text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
  return JSON.parse(json, reviveKeepingNumberText);
}

function reviveKeepingNumberText(key: string, value: unknown, context?: ReviverContext): unknown {
  if (key === '__proto__') throw new SyntaxError('a __proto__ key is not accepted');
  if (typeof value === 'number') {
    const source = context?.source;
    return source === undefined || namesTheSameDecimal(source, value) ? value : source;
  }
  if (
    key === 'constructor' &&
    typeof value === 'object' &&
    value !== null &&
    Object.hasOwn(value, 'prototype')
  ) {
    throw new SyntaxError('a constructor.prototype key is not accepted');
  }
  return value;
}

/** Whether the double's shortest text names exactly the decimal the client wrote (10.50 and 10.5 do). */
function namesTheSameDecimal(source: string, value: number): boolean {
  const printed = String(value);
  if (source === printed) return true;
  const written = decimalParts(source);
  const held = decimalParts(printed);
  if (written === undefined || held === undefined) return false;
  if (written.digits === '' || held.digits === '') return written.digits === held.digits;
  return (
    written.negative === held.negative && written.digits === held.digits && written.exponent === held.exponent
  );
}

/**
 * A number's text as sign, significant digits and the power of ten of the last one:
 * 10.50 → 105 × 10^-1, 1.5e1 → 15 × 10^0, 0 → no digits. Undefined for Infinity and NaN.
 */
function decimalParts(text: string): { negative: boolean; digits: string; exponent: number } | undefined {
  const match = JSON_NUMBER_TEXT.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '', fraction = '', exponentText = '0'] = match;
  const significant = `${whole}${fraction}`.replace(/^0+/, '');
  const digits = significant.replace(/0+$/, '');
  const trailingZeros = significant.length - digits.length;
  return {
    negative: sign === '-',
    digits,
    exponent: Number(exponentText) - fraction.length + trailingZeros,
  };
}
