import type { Queryable } from '../../../shared/src/db/queryable.ts';

export type IdempotencyRecord = { email: string; user_id: string };

/** The key's record, written with the user by create-user-statement.ts. */
export async function findIdempotencyRecord(
  db: Queryable,
  key: string,
): Promise<IdempotencyRecord | undefined> {
  const { rows } = await db.query<IdempotencyRecord>(
    'SELECT email, user_id::text FROM idempotency_keys WHERE idempotency_key = $1::text',
    [key],
  );
  return rows[0];
}
