import {
  HOLD_EXPIRY_DEFAULT_SECONDS,
  HOLD_EXPIRY_MAX_SECONDS,
} from '../../../../services/shared/src/contracts/transactions-api.ts';
import { errorFor } from '../../error-advice.ts';

export const HOLD_EXPIRY_MIN_SECONDS = 1;
export { HOLD_EXPIRY_DEFAULT_SECONDS, HOLD_EXPIRY_MAX_SECONDS };

const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, h: 60 * 60, d: 24 * 60 * 60 };
/** At most 7 digits: anything longer is out of range whatever its unit. */
const EXPIRY_TEXT = /^(\d{1,7})([smhd]?)$/;

/**
 * `--expires`: "90" or "90s" (seconds), "15m", "2h", "7d" → whole seconds, 1 s … 7 days, the
 * service's own range, so a bad value fails before any request (INVALID_EXPIRY, exit 2).
 */
export function parseExpiry(text: string): number {
  const match = EXPIRY_TEXT.exec(text.trim().toLowerCase());
  if (!match) {
    throw errorFor(
      'INVALID_EXPIRY',
      `"${text}" is not a duration: give seconds or a number with s, m, h or d`,
    );
  }
  const seconds = Number(match[1]) * SECONDS_PER_UNIT[match[2] || 's']!;
  if (seconds < HOLD_EXPIRY_MIN_SECONDS || seconds > HOLD_EXPIRY_MAX_SECONDS) {
    throw errorFor('INVALID_EXPIRY', `"${text}" is out of range: a hold lasts from 1s to 7d`);
  }
  return seconds;
}

/** 900 → "15m", 90 → "90s", 86400 → "1d": the largest unit that divides it exactly. */
export function formatExpiry(seconds: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    const size = SECONDS_PER_UNIT[unit]!;
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
