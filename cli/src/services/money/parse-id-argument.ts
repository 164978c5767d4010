import { z } from 'zod';
import { errorFor } from '../../error-advice.ts';

const idSchema = z.uuid();

/**
 * A `<hold-id>` or `<transfer-or-deposit-id>` argument: a UUID, lower-cased, checked before any
 * request so a typo is a usage error (INVALID_ID, exit 2) and not a server round trip.
 */
export function parseIdArgument(text: string, what: string): string {
  const trimmed = text.trim();
  if (!idSchema.safeParse(trimmed).success) {
    throw errorFor('INVALID_ID', `"${text}" is not a ${what} id (a UUID)`);
  }
  return trimmed.toLowerCase();
}
