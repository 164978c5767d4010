import { z } from 'zod';
import { AMOUNT_MAX_MINOR, formatMinor } from '../money.ts';

/**
 * The rules the services check by hand (trimming, parseAmount, decodeCursor, parseRfc3339Micros),
 * written as JSON Schema 2020-12 for /openapi.json (issue 15), so the document says exactly what
 * is accepted. `format` is only a hint (an annotation in 2020-12): each `pattern` is the rule.
 * The contract test (test/contract/) holds the services to these. Plain JSON, merged into the
 * zod schemas' output with `.meta()`; `undefined` removes a keyword zod would emit wrongly.
 */

/** `\s` is exactly the set String.prototype.trim removes, so `^\s*…\s*$` says "trimmed first". */
const TRIMMED = (inner: string) => `^\\s*${inner}\\s*$`;

/** zod's own email rule (z.email()), applied to the trimmed text, which must be 3–`lengthMax` long. */
export function emailJsonSchema(lengthMax: number) {
  const address = z.regexes.email.source.replace(/^\^/, '').replace(/\$$/, '');
  return {
    format: 'email',
    pattern: TRIMMED(`(?=\\S{3,${lengthMax}}\\s*$)(?:${address})`),
    minLength: undefined,
    maxLength: undefined,
    description: `Surrounding whitespace is trimmed; then at most ${lengthMax} characters. Compared case-insensitively.`,
  };
}

const AMOUNT_MAX_TEXT = formatMinor(AMOUNT_MAX_MINOR);
const AMOUNT_MAX_WHOLE = AMOUNT_MAX_TEXT.split('.')[0] ?? '';
/** Decimal text of an amount in (0, AMOUNT_MAX], at most 2 decimals, no sign, exponent or leading zero. */
const AMOUNT_TEXT = [
  `[1-9]\\d{0,${AMOUNT_MAX_WHOLE.length - 2}}(?:\\.\\d{1,2})?`,
  `${AMOUNT_MAX_WHOLE}(?:\\.0{1,2})?`,
  '0\\.(?:[1-9]\\d?|0[1-9])',
].join('|');

/** A JSON number, or the same amount as decimal text (up to `textLengthMax` characters before trimming). */
export function amountJsonSchema(textLengthMax: number) {
  const maximum = Number(AMOUNT_MAX_TEXT);
  return {
    anyOf: undefined,
    oneOf: [
      { type: 'number', exclusiveMinimum: 0, maximum, multipleOf: 0.01 },
      { type: 'string', maxLength: textLengthMax, pattern: TRIMMED(`(?:${AMOUNT_TEXT})`) },
    ],
    description:
      `Greater than 0, at most ${AMOUNT_MAX_TEXT}, at most 2 decimals: a JSON number (10, 10.5, 1.05e1) ` +
      'or decimal text ("10.50"). A number is judged as written: 10.001 and 1e-7 are refused.',
  };
}

/** Canonical unpadded base64url, as decodeCursor requires; what it encodes is the listing's own. */
export function cursorJsonSchema(lengthMax: number) {
  return {
    maxLength: lengthMax,
    pattern: '^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048]|[A-Za-z0-9_-][AQgw])?$',
    description:
      'Opaque: the next_cursor of the previous page of this listing. Anything else is 400 INVALID_CURSOR, ' +
      'including text of this form that this endpoint did not issue.',
  };
}

/** Proleptic Gregorian dates 0000–9999 that exist, with February 29 in leap years only. */
const DATE =
  '(?:\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))' +
  '|(?:\\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)';
/** RFC 3339 as rfc3339-time.ts reads it: no leap second, up to 9 fraction digits, a zone required. */
export const RFC3339_TIME_PATTERN = `^${DATE}[Tt](?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?(?:[Zz]|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$`;

export const rfc3339JsonSchema = { format: 'date-time', pattern: RFC3339_TIME_PATTERN };

/** Free text that is not blank once trimmed, and at most `lengthMax` characters after trimming. */
export function trimmedTextJsonSchema(lengthMax: number) {
  return {
    minLength: undefined,
    maxLength: undefined,
    pattern: TRIMMED(`\\S(?:[\\s\\S]{0,${lengthMax - 2}}\\S)?`),
    description: `Surrounding whitespace is trimmed; then 1–${lengthMax} characters.`,
  };
}

/** Members of which exactly one must be given, for each group: `oneOf` of `required`. */
export function exactlyOneOfJsonSchema(...groups: string[][]) {
  return { allOf: groups.map((members) => ({ oneOf: members.map((member) => ({ required: [member] })) })) };
}
