import { CURSOR_LENGTH_MAX } from '../contracts/common.ts';
import { AppError } from '../errors.ts';

/**
 * Keyset paging, the same in every listing: a cursor is opaque to clients (base64url of the last
 * row's position, in a form each listing chooses), and anything that is not exactly what we
 * would have produced is a 400 INVALID_CURSOR, never a database error.
 */
export const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
