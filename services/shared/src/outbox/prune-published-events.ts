import { deleteInBatches } from '../db/delete-in-batches.ts';
import type { Pool } from '../db/pool.ts';

/** Published events stay this long (a week) for audits and replays, then go. */
export const OUTBOX_RETENTION_HOURS = 168;
/** Rows deleted per statement: a long backlog is pruned in short transactions, not one big one. */
export const OUTBOX_PRUNE_BATCH_SIZE = 1_000;
export const OUTBOX_PRUNE_BATCHES_MAX = 100;

/**
 * Deletes outbox rows published longer ago than the retention, in bounded batches, so the table
 * does not grow for ever. Unpublished rows are never touched, however old. Returns the count.
 */
export async function prunePublishedEvents(
  pool: Pool,
  retentionHours: number = OUTBOX_RETENTION_HOURS,
): Promise<number> {
  return deleteInBatches(
    { batchSize: OUTBOX_PRUNE_BATCH_SIZE, batchesMax: OUTBOX_PRUNE_BATCHES_MAX },
    async (batchSize) => {
      const result = await pool.query(
        `DELETE FROM outbox
          WHERE seq IN (SELECT seq FROM outbox
                         WHERE published_at < now() - make_interval(hours => $1::int)
                         ORDER BY seq
                         LIMIT $2::int)`,
        [retentionHours, batchSize],
      );
      return result.rowCount ?? 0;
    },
  );
}
