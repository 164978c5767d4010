import { expect } from 'vitest';
import type { RawResponse } from './fuzz-target.ts';

/**
 * Runs of a forged-cursor property: more than other properties get, because the cursors that
 * broke a listing are single values (a year, a bigint edge) among many, and each run is cheap.
 */
export const FORGED_CURSOR_RUNS = 200;

/**
 * What a listing answers for a cursor, forged or not, when the rest of the query is valid: a page,
 * or 400 INVALID_CURSOR. Anything else means the cursor got past its check (issue 14, item 4).
 */
export function expectPageOrInvalidCursor(path: string, response: RawResponse): void {
  const context = `GET ${path.slice(0, 300)} → ${response.status} ${response.text.slice(0, 300)}`;
  if (response.status === 200) return;
  expect(response.status, context).toBe(400);
  expect((response.json as { code?: unknown }).code, context).toBe('INVALID_CURSOR');
}
