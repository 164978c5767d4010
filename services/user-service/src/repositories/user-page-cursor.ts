import { AppError } from '../../../shared/src/errors.ts';

/** Where a page of users ends: the exact (microsecond) created_at text and the user id, in sort order. */
export type UserPagePosition = { createdAtExact: string; userId: string };

const CREATED_AT_EXACT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A cursor we issue is about 90 characters; anything much longer is not ours. */
const CURSOR_LENGTH_MAX = 200;

/** Opaque to clients: base64url of a JSON pair. Its content is not a promise. */
export function encodeUserCursor(position: UserPagePosition): string {
  return Buffer.from(JSON.stringify([position.createdAtExact, position.userId]), 'utf8').toString(
    'base64url',
  );
}

/** Reads a cursor back; anything we could not have issued is INVALID_CURSOR (never a database error). */
export function decodeUserCursor(cursor: string): UserPagePosition {
  const invalid = () => new AppError('INVALID_CURSOR', 'the cursor is not one this service issued');
  if (cursor.length > CURSOR_LENGTH_MAX || !/^[\w-]+$/.test(cursor)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalid();
  const [createdAtExact, userId] = decoded as unknown[];
  if (typeof createdAtExact !== 'string' || typeof userId !== 'string') throw invalid();
  if (!CREATED_AT_EXACT_PATTERN.test(createdAtExact) || !UUID_PATTERN.test(userId)) throw invalid();
  if (!isRealInstant(createdAtExact)) throw invalid();
  return { createdAtExact, userId };
}

/** Rejects dates the pattern lets through but the calendar does not (2024-02-30), which PostgreSQL would refuse. */
function isRealInstant(text: string): boolean {
  const ms = Date.parse(text);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === text.slice(0, 19);
}
