/**
 * RFC 3339 date-times (`2026-11-01T00:00:00Z`, `2026-11-01T01:00:00.25+01:00`) read exactly, as
 * microseconds since the Unix epoch: PostgreSQL's timestamptz resolution. The time zone (Z or an
 * offset) is required; a date that does not exist (February 30, hour 24, second 60) is refused.
 */
export const TIME_TEXT_LENGTH_MAX = 64;
export const MICROS_PER_MILLI = 1000n;
export const MICROS_PER_DAY = 86_400_000_000n;

const RFC3339_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const FRACTION_DIGITS_MICROS = 6;

/**
 * How a time finer than a microsecond becomes one: `floor` for "at or before" (a row at µs t is at
 * or before the instant x exactly when t ≤ floor(x)), `ceil` for "at or after" and "before".
 */
export type MicrosRounding = 'floor' | 'ceil';

/** The instant in microseconds since 1970-01-01T00:00:00Z, or undefined when `text` is not RFC 3339. */
export function parseRfc3339Micros(text: string, rounding: MicrosRounding): bigint | undefined {
  if (text.length > TIME_TEXT_LENGTH_MAX) return undefined;
  const match = RFC3339_PATTERN.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const exists =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  if (!exists) return undefined;
  const offsetMinutes = offsetMinutesOf(match[8], match[9], match[10]);
  if (offsetMinutes === undefined) return undefined;
  const wholeMicros = BigInt(date.getTime() - offsetMinutes * 60_000) * MICROS_PER_MILLI;
  return wholeMicros + fractionMicros(match[7] ?? '', rounding);
}

function offsetMinutesOf(
  sign: string | undefined,
  hours: string | undefined,
  minutes: string | undefined,
): number | undefined {
  if (sign === undefined) return 0;
  const [h, m] = [Number(hours), Number(minutes)];
  if (h > 23 || m > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (h * 60 + m);
}

function fractionMicros(digits: string, rounding: MicrosRounding): bigint {
  const micros = BigInt(digits.slice(0, FRACTION_DIGITS_MICROS).padEnd(FRACTION_DIGITS_MICROS, '0'));
  const finer = digits.slice(FRACTION_DIGITS_MICROS);
  return rounding === 'ceil' && /[1-9]/.test(finer) ? micros + 1n : micros;
}

/** `2026-11-01T00:00:00.000Z`, with three more digits when the instant is not a whole millisecond. */
export function formatMicros(micros: bigint): string {
  const remainder = ((micros % MICROS_PER_MILLI) + MICROS_PER_MILLI) % MICROS_PER_MILLI;
  const millis = (micros - remainder) / MICROS_PER_MILLI;
  const text = new Date(Number(millis)).toISOString();
  return remainder === 0n ? text : `${text.slice(0, -1)}${remainder.toString().padStart(3, '0')}Z`;
}
