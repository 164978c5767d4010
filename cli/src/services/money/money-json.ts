import { formatMinor, numericToMinor } from '../../../../services/shared/src/money.ts';

/**
 * The services send money as JSON numbers whose shortest text is the exact cents (12.3 means
 * 12.30; see money.ts minorToNumber). We read that text, never compute with the double.
 */
export function numberToMinor(value: number): bigint {
  return numericToMinor(String(value));
}

/** "12.30": what people and --json both see; exact and always two decimals. */
export function moneyText(minor: bigint): string {
  return formatMinor(minor);
}
