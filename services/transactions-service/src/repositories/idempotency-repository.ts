import type { PoolClient } from '../../../shared/src/db/pool.ts';
import type { Queryable } from './queryable.ts';

export type StoredOutcome = { requestHash: string; statusCode: number | null; response: unknown };
export type KeyClaim = { claimed: true } | ({ claimed: false } & StoredOutcome);

/**
 * Claims an idempotency key inside the caller's transaction. A concurrent claim of the same
 * key waits on the primary key until the first transaction ends: after its commit we see the
 * stored outcome; after its rollback our insert goes through and we own the key.
 */
export async function claimIdempotencyKey(
  client: PoolClient,
  claim: { scope: string; key: string; requestHash: string },
): Promise<KeyClaim> {
  const inserted = await client.query(
    `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1::text, $2::text, $3::text)
     ON CONFLICT (scope, key) DO NOTHING`,
    [claim.scope, claim.key, claim.requestHash],
  );
  if (inserted.rowCount === 1) return { claimed: true };
  // READ COMMITTED: this statement takes a fresh snapshot, so it sees the row the insert collided with.
  const { rows } = await client.query<{
    request_hash: string;
    status_code: number | null;
    response: unknown;
  }>(
    'SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1::text AND key = $2::text',
    [claim.scope, claim.key],
  );
  const row = rows[0];
  if (!row) {
    // Deleted by the cleanup between the two statements: an ordinary serialization race, retried whole.
    throw Object.assign(new Error('idempotency key vanished during claim'), { code: '40001' });
  }
  return {
    claimed: false,
    requestHash: row.request_hash,
    statusCode: row.status_code,
    response: row.response,
  };
}

export async function storeIdempotentOutcome(
  client: PoolClient,
  outcome: { scope: string; key: string; statusCode: number; response: unknown },
): Promise<void> {
  await client.query(
    `UPDATE idempotency_keys SET status_code = $3::int, response = $4::jsonb
      WHERE scope = $1::text AND key = $2::text`,
    [outcome.scope, outcome.key, outcome.statusCode, JSON.stringify(outcome.response)],
  );
}

/** Deletes up to `batchSize` keys older than the retention; returns how many went. */
export async function deleteExpiredIdempotencyKeys(
  db: Queryable,
  options: { retentionHours: number; batchSize: number },
): Promise<number> {
  const result = await db.query(
    `DELETE FROM idempotency_keys
      WHERE (scope, key) IN (
        SELECT scope, key FROM idempotency_keys
         WHERE created_at < now() - make_interval(hours => $1::int)
         LIMIT $2::int
      )`,
    [options.retentionHours, options.batchSize],
  );
  return result.rowCount ?? 0;
}
