import type { Queryable } from '../../../shared/src/db/queryable.ts';
import { AppError } from '../../../shared/src/errors.ts';
import type { UserRow } from './users-repository.ts';

const UNIQUE_VIOLATION = '23505';

/**
 * Claims the Idempotency-Key (when there is one), inserts the user and writes its user-created
 * event into the outbox, all in one statement: one round trip and one implicit transaction,
 * where BEGIN, three INSERTs and COMMIT took five. Either everything commits or nothing does.
 *
 * The event's created_at is the row's, rendered as JavaScript's toISOString renders the Date
 * the API answers with (milliseconds, truncated, in UTC), so event and response agree.
 * A key already claimed by another request (one that committed: a concurrent claim waits on the
 * primary key until that transaction ends) makes the claim, and so the whole statement, insert
 * nothing: then this returns undefined and the caller replays the first response.
 */
const CREATE_USER_SQL = `
WITH claim AS (
  INSERT INTO idempotency_keys (idempotency_key, email, user_id)
  SELECT $3::text, $2::text, $1::uuid WHERE $3::text IS NOT NULL
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING 1
), new_user AS (
  INSERT INTO users (user_id, email)
  SELECT $1::uuid, $2::text WHERE $3::text IS NULL OR EXISTS (SELECT 1 FROM claim)
  RETURNING user_id, email, created_at
), event AS (
  INSERT INTO outbox (event_id, topic, event_key, payload, headers)
  SELECT $4::uuid, $5::text, user_id::text,
         jsonb_build_object(
           'user_id', user_id::text,
           'email', email,
           'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
         $6::jsonb
    FROM new_user
)
SELECT user_id::text, email, created_at,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact
  FROM new_user`;

export type NewUser = {
  userId: string;
  email: string;
  idempotencyKey: string | undefined;
  event: { eventId: string; topic: string; headers: Record<string, string> };
};

/** The created user, or undefined when the Idempotency-Key was already used; a taken email is EMAIL_TAKEN. */
export async function createUserWithEvent(db: Queryable, user: NewUser): Promise<UserRow | undefined> {
  try {
    const { rows } = await db.query<UserRow>({
      // Prepared once per connection: PostgreSQL parses and plans it only the first time.
      name: 'create-user-with-event',
      text: CREATE_USER_SQL,
      values: [
        user.userId,
        user.email,
        user.idempotencyKey ?? null,
        user.event.eventId,
        user.event.topic,
        JSON.stringify(user.event.headers),
      ],
    });
    return rows[0];
  } catch (error) {
    // The unique index on lower(email) decides, not a prior SELECT: two concurrent requests
    // for one email cannot both succeed.
    if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) {
      throw new AppError('EMAIL_TAKEN', `${user.email} is already registered`);
    }
    throw error;
  }
}
