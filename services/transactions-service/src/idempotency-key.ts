import { createHash } from 'node:crypto';

/**
 * Fingerprint of a request as we understood it (ids lower-cased, amount in minor units), so
 * `100`, `100.0` and `"100.00"` count as the same request and a replay compares meaning, not bytes.
 * (The Idempotency-Key header itself is read by shared/src/http/idempotency-key-header.ts.)
 */
export function hashRequest(fields: Record<string, string | bigint>): string {
  const canonical = Object.keys(fields)
    .sort()
    .map((name) => `${name}=${String(fields[name])}`)
    .join('\n');
  return createHash('sha256').update(canonical).digest('hex');
}
