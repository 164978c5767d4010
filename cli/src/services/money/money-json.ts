import { formatMinor, parseDecimalToMinor } from '../../../../services/shared/src/money.ts';

/**
 * The services send money as JSON numbers whose shortest text is the exact cents (12.3 means
 * 12.30; see money.ts minorToNumber). We read that text, never compute with the double.
 */
export function numberToMinor(value: number): bigint {
  const text = String(value);
  const negative = text.startsWith('-');
  const minor = parseDecimalToMinor(negative ? text.slice(1) : text);
  if (minor === undefined) throw new RangeError(`not an amount with at most 2 decimals: ${text}`);
  return negative ? -minor : minor;
}

/** Events carry money as decimal text ("-5.00"). */
export function decimalTextToMinor(text: string): bigint {
  const negative = text.startsWith('-');
  const minor = parseDecimalToMinor(negative ? text.slice(1) : text);
  if (minor === undefined) throw new RangeError(`not decimal money text: ${text}`);
  return negative ? -minor : minor;
}

/** "12.30": what people and --json both see; exact and always two decimals. */
export function moneyText(minor: bigint): string {
  return formatMinor(minor);
}
