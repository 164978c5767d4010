import { TOPICS, topicName } from '../../shared/src/contracts/events.ts';
import type { Pool } from '../../shared/src/db/pool.ts';
import { withStatement } from '../../shared/src/db/transaction.ts';
import { type IntervalJob, startIntervalJob } from '../../shared/src/process/interval-job.ts';

/** Wallets per checkpoint record: well under Kafka's 1 MB default message size. */
export const CHECKPOINT_PART_SIZE = 2_000;

export type LedgerCheckpoints = IntervalJob<number | null>;

/**
 * Checkpoints the ledger on an interval (SQL function take_ledger_checkpoint, migration 004):
 * pins each changed wallet's latest sequence and hash and a root hash over all wallets, and sends
 * them to `ledger-checkpoints` through the outbox. Every replica tries; an advisory lock lets one
 * at a time through, and a checkpoint with nothing changed is not taken.
 */
export function startLedgerCheckpoints(options: {
  pool: Pool;
  namespace: string;
  intervalMs: number;
  onTaken: () => void;
  onError: (error: unknown) => void;
}): LedgerCheckpoints {
  async function runOnce(): Promise<number | null> {
    const checkpointId = await withStatement(options.pool, async (client) => {
      const { rows } = await client.query<{ checkpoint_id: string | null }>(
        'SELECT take_ledger_checkpoint($1::text, $2::text, $3::int)::text AS checkpoint_id',
        [
          topicName(options.namespace, TOPICS.ledgerCheckpoints),
          TOPICS.ledgerCheckpoints,
          CHECKPOINT_PART_SIZE,
        ],
      );
      return rows[0]?.checkpoint_id ?? null;
    });
    if (checkpointId === null) return null;
    options.onTaken();
    return Number(checkpointId);
  }

  return startIntervalJob({ intervalMs: options.intervalMs, work: runOnce, onError: options.onError });
}
