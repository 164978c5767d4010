import { createHash } from 'node:crypto';
import { AppError } from '../../shared/src/errors.ts';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_REPLAYED_HEADER = 'idempotency-replayed';
export const IDEMPOTENCY_KEY_LENGTH_MAX = 200;
const IDEMPOTENCY_KEY_PATTERN = new RegExp(`^[A-Za-z0-9._:-]{1,${IDEMPOTENCY_KEY_LENGTH_MAX}}$`);

/** The optional Idempotency-Key header: absent → undefined; present but malformed → 400. */
export function readIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw new AppError(
      'INVALID_IDEMPOTENCY_KEY',
      `Idempotency-Key must be 1–${IDEMPOTENCY_KEY_LENGTH_MAX} characters of A-Z a-z 0-9 . _ : -`,
    );
  }
  return header;
}

/**
 * Fingerprint of a request as we understood it (ids lower-cased, amount in minor units), so
 * `100`, `100.0` and `"100.00"` count as the same request and a replay compares meaning, not bytes.
 */
export function hashRequest(fields: Record<string, string | bigint>): string {
  const canonical = Object.keys(fields)
    .sort()
    .map((name) => `${name}=${String(fields[name])}`)
    .join('\n');
  return createHash('sha256').update(canonical).digest('hex');
}
