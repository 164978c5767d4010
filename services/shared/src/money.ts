import { AppError } from './errors.ts';

/**
 * Money is a bigint count of minor units (cents). Floats never take part in arithmetic:
 * amounts arrive as JSON numbers or decimal strings, are read as decimal text, and leave
 * as decimal text or as a JSON number whose shortest representation is exactly the cents.
 */
export const MINOR_UNITS_PER_MAJOR = 100n;
export const AMOUNT_SCALE = 2;

/** Largest single deposit or transfer: 1,000,000,000.00. */
export const AMOUNT_MAX_MINOR = 100_000_000_000n;

/**
 * Largest balance: fits NUMERIC(15,2) and stays below 2^53 cents, so every balance
 * converts to a JSON number that prints back as the same decimal.
 */
export const BALANCE_MAX_MINOR = 999_999_999_999_999n;

const DECIMAL_TEXT = /^(0|[1-9]\d{0,14})(?:\.(\d{1,2}))?$/;

/** Parses non-negative decimal text with at most 2 decimals ("12", "12.3", "12.30") into minor units. */
export function parseDecimalToMinor(text: string): bigint | undefined {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return undefined;
  const whole = BigInt(match[1]!);
  const fraction = BigInt((match[2] ?? '').padEnd(AMOUNT_SCALE, '0'));
  return whole * MINOR_UNITS_PER_MAJOR + fraction;
}

/** Whole numbers past any amount (and past what DECIMAL_TEXT reads), to say "too large" rather than "not money". */
const LARGE_DECIMAL_TEXT = /^[1-9]\d*(?:\.\d{1,2})?$/;

/**
 * Reads a client-supplied amount. A JSON number reaches here only when its double names exactly
 * the decimal the sender wrote (http/json-body-parser.ts hands over the source text of any other),
 * so its shortest round-trip text is that value: 10.50 is "10.5", 1.5e1 is "15", and 1e-7 is
 * "1e-7", refused. A string is judged as written.
 */
export function parseAmount(input: unknown, field = 'amount'): bigint {
  let text: string | undefined;
  if (typeof input === 'number' && Number.isFinite(input)) text = String(input);
  else if (typeof input === 'string') text = input.trim();
  const minor = text === undefined ? undefined : parseDecimalToMinor(text);
  if (minor === undefined && text !== undefined && LARGE_DECIMAL_TEXT.test(text)) {
    throw new AppError('INVALID_AMOUNT', `${field} must be at most ${formatMinor(AMOUNT_MAX_MINOR)}`);
  }
  if (minor === undefined) {
    throw new AppError('INVALID_AMOUNT', `${field} must be a positive number with at most 2 decimal places`);
  }
  if (minor <= 0n) throw new AppError('INVALID_AMOUNT', `${field} must be greater than 0`);
  if (minor > AMOUNT_MAX_MINOR) {
    throw new AppError('INVALID_AMOUNT', `${field} must be at most ${formatMinor(AMOUNT_MAX_MINOR)}`);
  }
  return minor;
}

/** Minor units to decimal text with exactly 2 decimals: 1230n → "12.30", -5n → "-0.05". */
export function formatMinor(minor: bigint): string {
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  const whole = abs / MINOR_UNITS_PER_MAJOR;
  const fraction = (abs % MINOR_UNITS_PER_MAJOR).toString().padStart(AMOUNT_SCALE, '0');
  return `${sign}${whole}.${fraction}`;
}

/**
 * Minor units to a JSON number. Safe because |minor| < 2^53: the decimal text parses to the
 * double nearest to it, and that double prints back as the same shortest decimal (0.3, not 0.30000000000000004).
 */
export function minorToNumber(minor: bigint): number {
  if (minor > BALANCE_MAX_MINOR || minor < -BALANCE_MAX_MINOR) {
    throw new RangeError(`money value out of range: ${minor}`);
  }
  return Number(formatMinor(minor));
}

/** PostgreSQL NUMERIC(…,2) comes back from pg as text ("12.30", "-5.00"); converts it on purpose. */
export function numericToMinor(text: string): bigint {
  const negative = text.startsWith('-');
  const minor = parseDecimalToMinor(negative ? text.slice(1) : text);
  if (minor === undefined) throw new RangeError(`not a NUMERIC(…,2) value: ${text}`);
  return negative ? -minor : minor;
}
