import { TOPICS, topicName } from '../../shared/src/contracts/events.ts';
import type { Pool } from '../../shared/src/db/pool.ts';
import { withStatement } from '../../shared/src/db/transaction.ts';
import { type IntervalJob, startIntervalJob } from '../../shared/src/process/interval-job.ts';
import { outboxEventHeading } from './operations/outbox-event-heading.ts';
import { expireHold, findDueHolds } from './repositories/hold-repository.ts';

/** Holds looked up per round; a pass goes on while rounds come back full, up to the maximum. */
export const HOLD_EXPIRY_BATCH_SIZE = 100;
export const HOLD_EXPIRY_BATCHES_MAX = 20;

export type HoldExpiry = IntervalJob<number>;

/**
 * Expires pending holds that reached expires_at, on an interval. Every replica sweeps; each hold
 * is expired in its own statement under its wallet's row lock and only while still pending, so
 * a hold expires exactly once however many replicas race for it, and never after a capture.
 */
export function startHoldExpiry(options: {
  pool: Pool;
  namespace: string;
  intervalMs: number;
  onExpired: () => void;
  onError: (error: unknown) => void;
}): HoldExpiry {
  const topic = topicName(options.namespace, TOPICS.holdExpired);

  async function runOnce(): Promise<number> {
    let expired = 0;
    for (let batch = 0; batch < HOLD_EXPIRY_BATCHES_MAX; batch++) {
      const due = await findDueHolds(options.pool, HOLD_EXPIRY_BATCH_SIZE);
      for (const holdId of due) {
        const event = outboxEventHeading({ topic, type: TOPICS.holdExpired });
        if (await withStatement(options.pool, (client) => expireHold(client, holdId, event))) expired++;
      }
      if (due.length < HOLD_EXPIRY_BATCH_SIZE) break;
    }
    if (expired > 0) options.onExpired();
    return expired;
  }

  return startIntervalJob({ intervalMs: options.intervalMs, work: runOnce, onError: options.onError });
}
