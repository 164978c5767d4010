import type { Queryable } from '../../../shared/src/db/queryable.ts';

export type IdempotencyRecord = { email: string; user_id: string };

/**
 * Claims a key inside the createUser transaction. A concurrent claim of the same key waits on
 * the primary key until the first transaction ends: then this returns false (it committed) or
 * claims the key itself (it rolled back). False means: read the record and replay.
 */
export async function claimIdempotencyKey(
  db: Queryable,
  claim: { key: string; email: string; userId: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO idempotency_keys (idempotency_key, email, user_id)
     VALUES ($1::text, $2::text, $3::uuid)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [claim.key, claim.email, claim.userId],
  );
  return rowCount === 1;
}

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
