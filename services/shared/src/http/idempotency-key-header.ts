import { z } from 'zod';
import { AppError } from '../errors.ts';

/** The same key rules and reply header in both services, so a client learns them once. */
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
 * Documents the optional header in OpenAPI. Loose, because Fastify replaces request.headers with
 * the parsed value; the pattern is checked in the handler so a bad key gets INVALID_IDEMPOTENCY_KEY.
 */
export const idempotentRequestHeadersSchema = z.looseObject({
  [IDEMPOTENCY_KEY_HEADER]: z
    .string()
    .optional()
    .describe(
      `Optional, 1–${IDEMPOTENCY_KEY_LENGTH_MAX} characters of [A-Za-z0-9._:-]. Retrying with the same key ` +
        'and body returns the first response (header Idempotency-Replayed: true) without doing the work again. ' +
        'After 503 OUTCOME_UNKNOWN (the change may have committed) a retry is safe only with the same key.',
    ),
});
