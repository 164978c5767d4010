import {
  decodeCursor,
  encodeCursor,
  invalidCursor,
  isCursorInstant,
  UUID_TEXT,
} from '../../../shared/src/http/page-cursor.ts';
import { parseRfc3339Micros } from '../../../shared/src/rfc3339-time.ts';

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
  if (!isTimestamptzText(createdAtExact)) throw invalidCursor();
  return { createdAtExact, userId };
}

/**
 * Whether PostgreSQL reads the text as a timestamptz: the pattern lets through dates the calendar
 * does not have (2024-02-30, hour 24) and the year 0000, which PostgreSQL refuses.
 */
function isTimestamptzText(text: string): boolean {
  const micros = parseRfc3339Micros(text, 'floor');
  return micros !== undefined && isCursorInstant(micros);
}
