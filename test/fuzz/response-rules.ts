import { expect } from 'vitest';
import { ERROR_CATALOG } from '../../services/shared/src/errors.ts';
import type { RawRequest, RawResponse } from './fuzz-target.ts';

/** The 503s the API documents (a dependency is down or slow); any other 5xx is a bug. */
const DOCUMENTED_503_CODES = new Set(
  Object.entries(ERROR_CATALOG)
    .filter(([, entry]) => entry.status === 503)
    .map(([code]) => code),
);

/**
 * The promises every answer keeps, whatever was sent: no 5xx but a documented 503, and every
 * 4xx is problem+json with a `code` from the catalogue and the status the catalogue gives it.
 */
export function expectWellFormed(sent: RawRequest, response: RawResponse): void {
  const context = `${sent.method} ${sent.path.slice(0, 200)} → ${response.status} ${response.text.slice(0, 300)}`;
  if (response.status >= 500) {
    const code = (response.json as { code?: unknown } | undefined)?.code;
    expect(
      response.status === 503 && typeof code === 'string' && DOCUMENTED_503_CODES.has(code),
      context,
    ).toBe(true);
  }
  if (response.status >= 400) {
    expect(response.contentType, context).toMatch(/^application\/problem\+json/);
    const problem = response.json as { code?: unknown; status?: unknown } | undefined;
    expect(typeof problem?.code, context).toBe('string');
    const entry = ERROR_CATALOG[problem?.code as keyof typeof ERROR_CATALOG];
    expect(entry, `${context}: unknown code`).toBeDefined();
    expect(problem?.status, context).toBe(response.status);
  }
  // RFC 6750 §3: a 401 says how to authenticate, and whether the token sent was refused.
  if (response.status === 401)
    expect(response.challenge, context).toMatch(/^Bearer( error="invalid_token")?$/);
}
