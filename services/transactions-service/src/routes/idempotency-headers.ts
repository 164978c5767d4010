import { z } from 'zod';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_LENGTH_MAX } from '../idempotency-key.ts';

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
        'and body returns the first response (header Idempotency-Replayed: true) without moving money again.',
    ),
});
