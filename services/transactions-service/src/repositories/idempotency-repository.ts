import type { Queryable } from '../../../shared/src/db/queryable.ts';

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
