import {
  decodeCursor,
  encodeCursor,
  invalidCursor,
  UUID_TEXT,
} from '../../../shared/src/http/page-cursor.ts';

/** Where a page of users ends: the exact (microsecond) created_at text and the user id, in sort order. */
export type UserPagePosition = { createdAtExact: string; userId: string };

const CREATED_AT_EXACT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A JSON pair inside the opaque cursor; its content is not a promise. */
export function encodeUserCursor(position: UserPagePosition): string {
  return encodeCursor(JSON.stringify([position.createdAtExact, position.userId]));
}

export function decodeUserCursor(cursor: string): UserPagePosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(decodeCursor(cursor));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalidCursor();
  const [createdAtExact, userId] = decoded as unknown[];
  if (typeof createdAtExact !== 'string' || typeof userId !== 'string') throw invalidCursor();
  if (!CREATED_AT_EXACT_PATTERN.test(createdAtExact) || !UUID_TEXT.test(userId)) throw invalidCursor();
  if (!isRealInstant(createdAtExact)) throw invalidCursor();
  return { createdAtExact, userId };
}

/** Rejects dates the pattern lets through but the calendar does not (2024-02-30), which PostgreSQL would refuse. */
function isRealInstant(text: string): boolean {
  const ms = Date.parse(text);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === text.slice(0, 19);
}
