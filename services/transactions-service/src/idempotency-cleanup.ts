import { deleteInBatches } from '../../shared/src/db/delete-in-batches.ts';
import type { Pool } from '../../shared/src/db/pool.ts';
import { type IntervalJob, startIntervalJob } from '../../shared/src/process/interval-job.ts';
import { IDEMPOTENCY_KEY_RETENTION_HOURS } from './config.ts';
import { deleteExpiredIdempotencyKeys } from './repositories/idempotency-repository.ts';

/** Rows per DELETE, so one pass never holds many locks or a long transaction. */
export const IDEMPOTENCY_CLEANUP_BATCH_SIZE = 1_000;
/** Bounds one pass; the next interval continues where this one stopped. */
export const IDEMPOTENCY_CLEANUP_BATCHES_MAX = 100;

export type IdempotencyCleanup = IntervalJob<number>;

/**
 * Deletes idempotency keys older than the retention on an interval. Every replica runs it;
 * the deletes are idempotent, so overlapping passes only waste a little work.
 */
export function startIdempotencyCleanup(options: {
  pool: Pool;
  intervalMs: number;
  onError: (error: unknown) => void;
}): IdempotencyCleanup {
  function runOnce(): Promise<number> {
    return deleteInBatches(
      { batchSize: IDEMPOTENCY_CLEANUP_BATCH_SIZE, batchesMax: IDEMPOTENCY_CLEANUP_BATCHES_MAX },
      (batchSize) =>
        deleteExpiredIdempotencyKeys(options.pool, {
          retentionHours: IDEMPOTENCY_KEY_RETENTION_HOURS,
          batchSize,
        }),
    );
  }

  return startIntervalJob({ intervalMs: options.intervalMs, work: runOnce, onError: options.onError });
}
