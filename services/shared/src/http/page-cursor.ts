import { CURSOR_LENGTH_MAX } from '../contracts/common.ts';
import { AppError } from '../errors.ts';

/**
 * Keyset paging, the same in every listing: a cursor is opaque to clients (base64url of the last
 * row's position, in a form each listing chooses), and anything that is not exactly what we
 * would have produced is a 400 INVALID_CURSOR, never a database error.
 */
export const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The instants a cursor may name, in microseconds since the Unix epoch: 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999999Z, what RFC 3339 text can write. PostgreSQL's timestamptz reaches
 * further (4714 BC to 294276 AD), but its text has no year 0000 and its interval arithmetic
 * overflows near the bigint limits, so a wider range would let a forged cursor become a database
 * error. Rows are stamped by the database clock, so every cursor we issue lies inside.
 */
export const CURSOR_INSTANT_MICROS_MIN = -62_135_596_800_000_000n;
export const CURSOR_INSTANT_MICROS_MAX = 253_402_300_799_999_999n;

export function isCursorInstant(micros: bigint): boolean {
  return CURSOR_INSTANT_MICROS_MIN <= micros && micros <= CURSOR_INSTANT_MICROS_MAX;
}

export function invalidCursor(): AppError {
  return new AppError('INVALID_CURSOR', 'cursor must be a next_cursor value returned by this endpoint');
}

export function encodeCursor(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** Decodes only canonical base64url: Node's decoder skips junk silently, so re-encode and compare. */
export function decodeCursor(cursor: string): string {
  if (cursor.length === 0 || cursor.length > CURSOR_LENGTH_MAX) throw invalidCursor();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeCursor(text) !== cursor) throw invalidCursor();
  return text;
}

/**
 * One page from `limit + 1` rows read in page order: the extra row only tells that another page
 * exists (no count), and the cursor names the last row shown.
 */
export function keysetPage<R>(
  rows: R[],
  limit: number,
  cursorOf: (last: R) => string,
): { page: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
